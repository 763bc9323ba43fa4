import Foundation
import Hummingbird
import HummingbirdTesting
import LiveGateCore
import LiveGateHTTP
import LiveGateStore
import LiveGateTestSupport
import Logging
import Postgres
import Prometheus
import Testing

/// `POST /v1/tenants/{tenant_id}/ceiling-simulations` in process, on a real PostgreSQL holding a real history.
@Suite("serve's ceiling simulation route")
struct SimulationRouteTests {
    /// t-1 approved at the platform default ($100 per tx): x1 300 denied by per_tx, x2 80 allowed. t-2 declared.
    func withServer(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let database = try TestDatabase.create()
        defer { database.drop() }
        try Migrations.apply(on: try PostgresConnection(url: database.url))
        let store = try LedgerStore(url: database.url)
        for json in [
            Fixtures.declaration("d", tenant: "t-1"), Fixtures.decision("ok", tenant: "t-1", action: "approve"),
            Fixtures.attempt("x1", tenant: "t-1", amount: "300"), Fixtures.attempt("x2", tenant: "t-1", amount: "80"),
            Fixtures.declaration("d", tenant: "t-2"),
        ] {
            _ = try store.apply([Fixtures.event(json)])
        }
        let server = StatusServer(databaseURL: database.url, credentials: try TestTokens.credentials())
        var logger = Logger(label: "test.serve")
        logger.logLevel = .critical
        let pool = DatabasePool(url: database.url, size: 1, queueLimit: 8, timeout: .seconds(5))
        defer { pool.shutdown() }
        let app = Application(
            router: server.router(pool: pool, registry: PrometheusCollectorRegistry(), logger: logger), logger: logger)
        try await app.test(.router) { client in try await body(client) }
    }

    func simulate(_ client: any TestClientProtocol, _ tenant: String, token: String?, body: String) async throws
        -> (Int, JSONValue?)
    {
        let headers: HTTPFields = token.map { [.authorization: "Bearer \($0)"] } ?? [:]
        return try await client.execute(
            uri: "/v1/tenants/\(tenant)/ceiling-simulations", method: .post, headers: headers,
            body: ByteBuffer(string: body)
        ) { response in (Int(response.status.code), try? JSONParser.parse(Array(buffer: response.body))) }
    }

    @Test("200 with the answer: the current ceiling changes nothing, a raised or lowered one says what it would")
    func answers() async throws {
        try await withServer { client in
            let current = try await simulate(client, "t-1", token: TestTokens.admin, body: #"{"ceiling":{}}"#)
            #expect(current.0 == 200, "\(current)")
            #expect(current.1?["attempts"] == .number("2") && current.1?["allowed_then"] == .number("1"))
            #expect(current.1?["newly_allowed"] == .number("0") && current.1?["newly_denied"] == .number("0"))
            #expect(current.1?["from"] == .string("2026-11-29T12:00:00.000Z"))
            let raised = try await simulate(
                client, "t-1", token: TestTokens.boundAdmin, body: #"{"ceiling":{"per_tx":"400.00"}}"#)
            #expect(raised.0 == 200 && raised.1?["newly_allowed_amount"] == .string("300.00"), "\(raised)")
            #expect(raised.1?["examples"]?["newly_allowed"] == .array([.string("x1")]))
            let lowered = try await simulate(
                client, "t-1", token: TestTokens.all, body: #"{"ceiling":{"per_tx":"50","daily":null}}"#)
            #expect(lowered.1?["newly_denied"] == .number("1") && lowered.1?["first_new_denial_at"] != .null)
            let disabled = try await simulate(
                client, "t-1", token: TestTokens.admin, body: #"{"ceiling":{"disabled":true}}"#)
            #expect(
                disabled.1?["allowed_now"] == .number("2")
                    && disabled.1?["ceiling"]?["proposed"]?["disabled"] == .bool(true))
        }
    }

    @Test("400 for a body that is no proposal, 404 for a tenant never approved, and who may ask")
    func refusals() async throws {
        try await withServer { client in
            let bad = try await simulate(client, "t-1", token: TestTokens.admin, body: #"{"ceiling":{"per_tx":"-1"}}"#)
            #expect(
                bad.0 == 400 && bad.1?["code"] == .string("BAD_REQUEST")
                    && bad.1?["reason"] == .string("invalid_request"))
            #expect(bad.1?["errors"]?.arrayFirst?["field"] == .string("ceiling.per_tx"), "\(bad)")
            let notJSON = try await simulate(client, "t-1", token: TestTokens.admin, body: "per_tx=1")
            #expect(notJSON.0 == 400 && notJSON.1?["reason"] == .string("not_json"))
            let never = try await simulate(client, "t-2", token: TestTokens.admin, body: #"{"ceiling":{}}"#)
            #expect(never.0 == 404 && never.1?["reason"] == .string("never_approved"), "\(never)")
            let foreign = try await simulate(client, "t-2", token: TestTokens.boundAdmin, body: #"{"ceiling":{}}"#)
            #expect(foreign.0 == 403 && foreign.1?["reason"] == .string("tenant_scope"))
            let unscoped = try await simulate(client, "t-1", token: TestTokens.status, body: #"{"ceiling":{}}"#)
            #expect(unscoped.0 == 403 && unscoped.1?["reason"] == .string("missing_scope"))
            #expect(try await simulate(client, "t-1", token: nil, body: #"{"ceiling":{}}"#).0 == 401)
        }
    }
}

extension JSONValue {
    fileprivate var arrayFirst: JSONValue? {
        if case let .array(items) = self { return items.first }
        return nil
    }
}
