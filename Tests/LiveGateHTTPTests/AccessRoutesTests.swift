import Foundation
import Hummingbird
import HummingbirdTesting
import Kafka
import LiveGateCore
import LiveGateHTTP
import Logging
import Prometheus
import Synchronization
import Testing

/// Records what would be published and acknowledges it at once.
final class RecordingPublisher: RecordPublishing {
    let records = Mutex<[ProducerRecord]>([])
    var count: Int { records.withLock { $0.count } }
    func publish(_ record: ProducerRecord, done: @escaping @Sendable (Result<Void, PublishFailure>) -> Void) {
        records.withLock { $0.append(record) }
        done(.success(()))
    }
}

/// A token file's worth of grants for the route tests.
enum TestTokens {
    static let all = "all-scopes-0123456789"
    static let status = "status-only-0123456789"
    static let boundStatus = "status-bound-t1-0123456789"
    static let boundAttempts = "attempts-bound-t1-0123456789"
    static let resolutions = "resolutions-only-0123456789"
    static let admin = "admin-only-0123456789"
    static let boundAdmin = "admin-bound-t1-0123456789"

    static let file = """
        # the route tests' tokens
        \(all)   status:read,attempts:write,resolutions:write,admin:read
        \(status)   status:read
        \(boundStatus)   status:read   tenant=t-1
        \(boundAttempts)   attempts:write,status:read   tenant=t-1

        \(resolutions)   resolutions:write
        \(admin)   admin:read
        \(boundAdmin)   admin:read   tenant=t-1
        """

    static func credentials() throws -> Credentials { Credentials(try APITokens(text: file, source: "test")) }
}

@Suite("serve's access rules, route by route, in process")
struct AccessRoutesTests {
    /// A server whose PostgreSQL is unreachable (a read that gets through answers 503 database_unavailable,
    /// never 401/403) and whose publisher only records.
    func withServer(
        _ credentials: Credentials, limits: StatusServer.Limits = .init(),
        _ body: @escaping @Sendable (any TestClientProtocol, RecordingPublisher) async throws -> Void
    ) async throws {
        let publisher = RecordingPublisher()
        let verdicts = VerdictPath(waiters: VerdictWaiters(capacity: 16), publisher: publisher, feedIsHealthy: { true })
        var limits = limits
        limits.requestTimeout = .milliseconds(500)
        let server = StatusServer(
            databaseURL: "postgresql://livegate@127.0.0.1:1/none", credentials: credentials, limits: limits,
            verdicts: verdicts)
        var logger = Logger(label: "test.serve")
        logger.logLevel = .critical
        let pool = DatabasePool(url: server.databaseURL, size: 1, queueLimit: 8, timeout: .milliseconds(500))
        defer { pool.shutdown() }
        let app = Application(
            router: server.router(pool: pool, registry: PrometheusCollectorRegistry(), logger: logger), logger: logger)
        try await app.test(.router) { client in try await body(client, publisher) }
    }

    func get(_ client: any TestClientProtocol, _ uri: String, token: String?) async throws -> (
        Int, JSONValue?, HTTPFields
    ) {
        let headers: HTTPFields = token.map { [.authorization: "Bearer \($0)"] } ?? [:]
        return try await client.execute(uri: uri, method: .get, headers: headers) { response in
            (Int(response.status.code), try? JSONParser.parse(Array(buffer: response.body)), response.headers)
        }
    }

    func post(_ client: any TestClientProtocol, _ uri: String, token: String?, body: String) async throws
        -> (Int, JSONValue?, HTTPFields)
    {
        let headers: HTTPFields = token.map { [.authorization: "Bearer \($0)"] } ?? [:]
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body)) {
            response in
            (Int(response.status.code), try? JSONParser.parse(Array(buffer: response.body)), response.headers)
        }
    }

    static func attempt(_ id: String, tenant: String, type: String = "transaction.attempted") -> String {
        #"{"event_id":"\#(id)","type":"\#(type)","tenant_id":"\#(tenant)"}"#
    }

    /// The refusal's contract members.
    func expectRefused(
        _ answer: (Int, JSONValue?, HTTPFields), _ status: Int, _ code: String, _ reason: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(answer.0 == status, "\(answer)", sourceLocation: sourceLocation)
        #expect(
            answer.1?["code"]?.stringValue == code && answer.1?["reason"]?.stringValue == reason,
            "\(String(describing: answer.1))",
            sourceLocation: sourceLocation)
    }

    @Test("production status: 401 without a known token, 403 past its scope or tenant, through with the right one")
    func productionStatus() async throws {
        try await withServer(try TestTokens.credentials()) { client, _ in
            let path = "/v1/tenants/t-1/production-status"
            let anonymous = try await get(client, path, token: nil)
            expectRefused(anonymous, 401, "UNAUTHORIZED", "unauthorized")
            #expect(anonymous.2[.wwwAuthenticate] == "Bearer")
            expectRefused(
                try await get(client, path, token: "unknown-token-0123456789"), 401, "UNAUTHORIZED", "unauthorized")
            expectRefused(try await get(client, path, token: TestTokens.resolutions), 403, "FORBIDDEN", "missing_scope")
            expectRefused(
                try await get(client, "/v1/tenants/t-2/production-status", token: TestTokens.boundStatus),
                403, "FORBIDDEN", "tenant_scope")
            // Through to the handler: PostgreSQL is unreachable here, so 503, not a refusal.
            for token in [TestTokens.status, TestTokens.boundStatus, TestTokens.all] {
                let through = try await get(client, path, token: token)
                #expect(
                    through.0 == 503 && through.1?["reason"]?.stringValue == "database_unavailable",
                    "\(token): \(through)")
            }
        }
    }

    @Test("GET /v1/tenants/production-status answers for the token's tenant; 400 tenant_required for one bound to none")
    func boundTenantStatus() async throws {
        try await withServer(try TestTokens.credentials()) { client, _ in
            let path = "/v1/tenants/production-status"
            expectRefused(try await get(client, path, token: TestTokens.status), 400, "BAD_REQUEST", "tenant_required")
            expectRefused(try await get(client, path, token: TestTokens.resolutions), 403, "FORBIDDEN", "missing_scope")
            expectRefused(try await get(client, path, token: nil), 401, "UNAUTHORIZED", "unauthorized")
            #expect(try await get(client, path, token: TestTokens.boundStatus).0 == 503)
        }
        try await withServer(.open) { client, _ in
            expectRefused(
                try await get(client, "/v1/tenants/production-status", token: nil), 400, "BAD_REQUEST",
                "tenant_required")
        }
    }

    @Test("POST: the body's tenant is checked against the token before anything is published")
    func postedTenant() async throws {
        try await withServer(try TestTokens.credentials()) { client, publisher in
            let attempts = "/v1/transaction-attempts?wait_ms=0"
            expectRefused(
                try await post(client, attempts, token: nil, body: Self.attempt("a-1", tenant: "t-1")),
                401, "UNAUTHORIZED", "unauthorized")
            expectRefused(
                try await post(
                    client, attempts, token: TestTokens.resolutions, body: Self.attempt("a-1", tenant: "t-1")),
                403, "FORBIDDEN", "missing_scope")
            expectRefused(
                try await post(
                    client, attempts, token: TestTokens.boundAttempts, body: Self.attempt("a-1", tenant: "t-2")),
                403, "FORBIDDEN", "tenant_scope")
            let resolution = Self.attempt("r-1", tenant: "t-1", type: "transaction.resolved")
            expectRefused(
                try await post(
                    client, "/v1/transaction-resolutions?wait_ms=0", token: TestTokens.boundAttempts,
                    body: resolution), 403, "FORBIDDEN", "missing_scope")
            #expect(publisher.count == 0, "a refused call published")

            let accepted = try await post(
                client, attempts, token: TestTokens.boundAttempts, body: Self.attempt("a 1/x", tenant: "t-1"))
            #expect(
                accepted.0 == 202 && accepted.2[.location] == "/v1/tenants/t-1/transaction-attempts/a%201%2Fx",
                "\(accepted)")
            let resolved = try await post(
                client, "/v1/transaction-resolutions?wait_ms=0", token: TestTokens.resolutions,
                body: Self.attempt("r-1", tenant: "t 2", type: "transaction.resolved"))
            #expect(
                resolved.0 == 202 && resolved.2[.location] == "/v1/tenants/t%202/transaction-resolutions/r-1",
                "\(resolved)")
            #expect(publisher.count == 2)
            #expect(
                publisher.records.withLock { $0.map { String(decoding: $0.key ?? [], as: UTF8.self) } } == [
                    "t-1", "t 2",
                ])
        }
    }

    @Test("stored verdicts live under the tenant, each collection behind its own scope; the tenant-less paths are gone")
    func storedVerdicts() async throws {
        try await withServer(try TestTokens.credentials()) { client, _ in
            let attempt = "/v1/tenants/t-1/transaction-attempts/a-1",
                resolution = "/v1/tenants/t-1/transaction-resolutions/r-1"
            expectRefused(try await get(client, attempt, token: nil), 401, "UNAUTHORIZED", "unauthorized")
            expectRefused(
                try await get(client, attempt, token: TestTokens.resolutions), 403, "FORBIDDEN", "missing_scope")
            expectRefused(
                try await get(client, resolution, token: TestTokens.boundAttempts), 403, "FORBIDDEN", "missing_scope")
            expectRefused(
                try await get(client, "/v1/tenants/t-2/transaction-attempts/a-1", token: TestTokens.boundAttempts),
                403, "FORBIDDEN", "tenant_scope")
            #expect(try await get(client, attempt, token: TestTokens.boundAttempts).0 == 503)
            #expect(try await get(client, resolution, token: TestTokens.resolutions).0 == 503)
            for gone in ["/v1/transaction-attempts/a-1", "/v1/transaction-resolutions/r-1"] {
                #expect(try await get(client, gone, token: TestTokens.all).0 == 404, "\(gone)")
            }
        }
    }

    @Test("probes and scrapes need no token; a wrong method is 405 before any token is asked for")
    func openRoutes() async throws {
        try await withServer(try TestTokens.credentials()) { client, _ in
            #expect(try await get(client, "/healthz", token: nil).0 == 200)
            #expect(try await get(client, "/metrics", token: nil).0 == 200)
            #expect(
                try await get(client, "/readyz", token: nil).0 == 503,
                "PostgreSQL is unreachable here: not ready, not 401")
            let wrong = try await post(client, "/v1/tenants/t-1/production-status", token: nil, body: "")
            #expect(wrong.0 == 405 && wrong.2[.allow] == "GET, HEAD")
        }
    }

    @Test("every served route has an access rule; the admin routes to come refuse what the contract says")
    func table() {
        for route in [
            "GET /healthz", "POST /v1/transaction-attempts",
            "GET /v1/tenants/{tenant_id}/transaction-resolutions/{event_id}",
        ] {
            #expect(RouteAccess.table[route] != nil, "\(route)")
        }
        let queue = try! #require(RouteAccess.rule(method: .get, route: "/v1/review-queue"))
        let bound = Credentials.Lookup.granted(Grant(scopes: [.adminRead], tenant: "t-1"))
        #expect(Access.decide(bound, queue, tenant: nil) == .forbidden(reason: "tenant_scope"))
        #expect(Access.decide(.granted(Grant(scopes: [.adminRead])), queue, tenant: nil) == .allowed(tenant: nil))
        #expect(
            Access.decide(.granted(Grant(scopes: [.statusRead])), queue, tenant: nil)
                == .forbidden(reason: "missing_scope"))
        let simulate = try! #require(
            RouteAccess.rule(method: .post, route: "/v1/tenants/{tenant_id}/ceiling-simulations"))
        #expect(Access.decide(bound, simulate, tenant: "t-2") == .forbidden(reason: "tenant_scope"))
        #expect(Access.decide(bound, simulate, tenant: "t-1") == .allowed(tenant: "t-1"))
        #expect(Access.decide(.open, simulate, tenant: "t-1") == .allowed(tenant: "t-1"))
        #expect(Access.decide(.unknown, queue, tenant: nil) == .unauthorized)
        // A path tenant that cannot be read is no tenant of a bound token's (an unbound one goes on to the 400).
        let status = try! #require(RouteAccess.rule(method: .get, route: "/v1/tenants/{tenant_id}/production-status"))
        let boundStatus = Credentials.Lookup.granted(Grant(scopes: [.statusRead], tenant: "t-1"))
        #expect(Access.decide(boundStatus, status, tenant: nil) == .forbidden(reason: "tenant_scope"))
        #expect(Access.decide(.granted(Grant(scopes: [.statusRead])), status, tenant: nil) == .allowed(tenant: nil))
        // HEAD is GET's rule; a route the table does not know has none (the middleware refuses it).
        #expect(
            RouteAccess.rule(method: .head, route: "/v1/tenants/{tenant_id}/production-status")?.scope == .statusRead)
        #expect(RouteAccess.rule(method: .delete, route: "/v1/tenants/{tenant_id}/production-status") == nil)
    }

    @Test("the body budget is reserved before a body is read: 503 with Retry-After past it, nothing published")
    func bodyBudget() async throws {
        var limits = StatusServer.Limits()
        limits.bodyBytesInFlight = 100
        try await withServer(.open, limits: limits) { client, publisher in
            let large = Self.attempt(String(repeating: "x", count: 120), tenant: "t-1")
            let refused = try await post(client, "/v1/transaction-attempts?wait_ms=0", token: nil, body: large)
            #expect(
                refused.0 == 503 && refused.1?["reason"]?.stringValue == "body_budget" && refused.2[.retryAfter] == "1")
            #expect(publisher.count == 0)
            let small = try await post(
                client, "/v1/transaction-attempts?wait_ms=0", token: nil, body: Self.attempt("a-1", tenant: "t-1"))
            #expect(small.0 == 202, "\(small)")
        }
    }
}
