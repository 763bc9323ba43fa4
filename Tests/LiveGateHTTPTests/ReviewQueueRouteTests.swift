import Foundation
import Hummingbird
import HummingbirdTesting
import LiveGateCore
import LiveGateHTTP
import LiveGateStore
import LiveGateTestSupport
import Logging
import Metrics
import Postgres
import Prometheus
import Testing

@Suite("GET /v1/review-queue and the review queue's gauges, in process")
struct ReviewQueueRouteTests {
    static let unreachable = "postgresql://livegate@127.0.0.1:1/none"

    func withServer(
        databaseURL: String = ReviewQueueRouteTests.unreachable,
        _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        var limits = StatusServer.Limits()
        limits.requestTimeout = .milliseconds(500)
        let server = StatusServer(databaseURL: databaseURL, credentials: try TestTokens.credentials(), limits: limits)
        var logger = Logger(label: "test.serve")
        logger.logLevel = .critical
        let pool = DatabasePool(url: databaseURL, size: 1, queueLimit: 8, timeout: .seconds(2))
        defer { pool.shutdown() }
        let app = Application(
            router: server.router(pool: pool, registry: PrometheusCollectorRegistry(), logger: logger), logger: logger)
        try await app.test(.router) { client in try await body(client) }
    }

    func get(_ client: any TestClientProtocol, token: String?, method: HTTPRequest.Method = .get) async throws -> (
        Int, JSONValue?
    ) {
        let headers: HTTPFields = token.map { [.authorization: "Bearer \($0)"] } ?? [:]
        return try await client.execute(uri: "/v1/review-queue", method: method, headers: headers) { response in
            (Int(response.status.code), try? JSONParser.parse(Array(buffer: response.body)))
        }
    }

    @Test("admin:read only, and never a token bound to one tenant: 401, 403 missing_scope, 403 tenant_scope")
    func access() async throws {
        try await withServer { client in
            #expect(try await get(client, token: nil).0 == 401)
            let status = try await get(client, token: TestTokens.status)
            #expect(status.0 == 403 && status.1?["reason"] == .string("missing_scope"))
            let bound = try await get(client, token: TestTokens.boundAdmin)
            #expect(bound.0 == 403 && bound.1?["reason"] == .string("tenant_scope"))
            let boundStatus = try await get(client, token: TestTokens.boundStatus)
            #expect(boundStatus.0 == 403)
            // Let through: PostgreSQL is unreachable here, so the read itself answers 503.
            let admin = try await get(client, token: TestTokens.admin)
            #expect(admin.0 == 503 && admin.1?["reason"] == .string("database_unavailable"))
            #expect(try await get(client, token: TestTokens.admin, method: .post).0 == 405)
        }
    }

    /// A migrated database with two pending declarations and an approved tenant, applied through the store.
    static func database() throws -> TestDatabase {
        let database = try TestDatabase.create()
        try Migrations.apply(on: try PostgresConnection(url: database.url))
        let store = try LedgerStore(url: database.url, rules: .standard)
        _ = try store.apply(
            [
                Fixtures.declaration("d1", tenant: "t-new", at: "2026-12-04T15:00:00Z"),
                Fixtures.declaration("d2", tenant: "t-old", at: "2026-12-01T09:00:00Z", email: "old@example.com"),
                Fixtures.declaration("d3", tenant: "t-done", at: "2026-11-01T09:00:00Z"),
            ].map { Fixtures.event($0) })
        _ = try store.apply([Fixtures.event(Fixtures.decision("a3", tenant: "t-done", action: "approve"))])
        return database
    }

    @Test("the pending declarations, oldest first, with due_at, overdue, waiting and the owner: the CLI's --json")
    func answer() async throws {
        let database = try Self.database()
        defer { database.drop() }
        try await withServer(databaseURL: database.url) { client in
            let (status, body) = try await get(client, token: TestTokens.admin)
            #expect(status == 200)
            guard case let .array(items)? = body else {
                Issue.record("not an array: \(String(describing: body))")
                return
            }
            #expect(items.map { $0["tenant_id"]?.stringValue } == ["t-old", "t-new"])
            let old = items[0]
            #expect(old["declared_at"] == .string("2026-12-01T09:00:00.000Z"))
            #expect(old["due_at"] == .string("2026-12-04T09:00:00.000Z"))
            #expect(old["overdue"] == .bool(true))  // the wall clock is past December 2026's first week
            #expect(old["owner"]?["email"] == .string("old@example.com"))
            #expect(old["intended_use_case"] == .string("Agents paying x402 APIs for our research product"))
            #expect(old["expected_monthly_volume_usd"] == .number("1500"))
            #expect(old["website_url"] == .string("https://example.com"))
            #expect(old["version"] == .number("1"))
            #expect(items[1]["due_at"] == .string("2026-12-09T15:00:00.000Z"))
            let keys = [
                "tenant_id", "declared_at", "due_at", "overdue", "business_days_waiting", "intended_use_case",
                "expected_monthly_volume_usd", "website_url", "suggested_ceiling", "owner", "version",
            ]
            if case let .object(members) = old { #expect(members.map(\.key) == keys) }
        }
    }

    @Test("the gauges: pending, overdue and the oldest declaration's age, as /metrics shows them")
    func gauges() async throws {
        let database = try Self.database()
        defer { database.drop() }
        let registry = PrometheusCollectorRegistry()
        let pool = DatabasePool(url: database.url, size: 1, queueLimit: 8, timeout: .seconds(2))
        defer { pool.shutdown() }
        var logger = Logger(label: "test.watch")
        logger.logLevel = .critical
        let watcher = ReviewQueueWatcher(
            pool: pool, settings: ReviewQueue.Settings(), logger: logger,
            factory: PrometheusMetricsFactory(registry: registry))
        let reading = try #require(await watcher.refresh())
        #expect(reading.pending == 2)
        let now = WallClock.now()
        // Both are overdue once the wall clock passes 2026-12-09T15:00Z; the older one already is.
        let expectedOverdue = now > RFC3339.parse("2026-12-09T15:00:00Z")! ? 2 : 1
        #expect(reading.overdue == expectedOverdue)
        let age = (now.millis - RFC3339.parse("2026-12-01T09:00:00Z")!.millis) / 1000
        #expect(abs(reading.oldestAgeSeconds - age) < 60)
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        let scrape = String(decoding: buffer, as: UTF8.self)
        #expect(scrape.contains("livegate_review_queue_pending 2"), "\(scrape)")
        #expect(scrape.contains("livegate_review_queue_overdue \(expectedOverdue)"), "\(scrape)")
        #expect(scrape.contains("livegate_review_queue_oldest_age_seconds "), "\(scrape)")

        let awayPool = DatabasePool(url: Self.unreachable, size: 1, queueLimit: 8, timeout: .milliseconds(300))
        defer { awayPool.shutdown() }
        let away = ReviewQueueWatcher(
            pool: awayPool, settings: ReviewQueue.Settings(), logger: logger,
            factory: PrometheusMetricsFactory(registry: registry))
        #expect(await away.refresh() == nil, "a failed read keeps the last values")
        buffer = []
        registry.emit(into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self).contains("livegate_review_queue_pending 2"))
    }
}
