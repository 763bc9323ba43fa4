import Foundation
import Hummingbird
import HummingbirdTesting
import LiveGateCore
import LiveGateHTTP
import Logging
import Prometheus
import Testing

/// serve's cross-cutting middleware in process: every API answer counted once with its route and status, and
/// 405 with `Allow` for a method a served path does not answer.
@Suite("serve's request metrics and method checks, in process")
struct ServeMiddlewareTests {
    /// A server with the route tests' tokens, an unreachable PostgreSQL (a read that gets through is 503
    /// database_unavailable) and a publisher that only records; `body` gets the registry `/metrics` emits.
    typealias Body = @Sendable (any TestClientProtocol, PrometheusCollectorRegistry) async throws -> Void

    func withServer(_ body: @escaping Body) async throws {
        let verdicts = VerdictPath(
            waiters: VerdictWaiters(capacity: 16), publisher: RecordingPublisher(),
            feedIsHealthy: { true })
        var limits = StatusServer.Limits()
        limits.requestTimeout = .milliseconds(500)
        let server = StatusServer(
            databaseURL: "postgresql://livegate@127.0.0.1:1/none",
            credentials: try TestTokens.credentials(), limits: limits, verdicts: verdicts)
        var logger = Logger(label: "test.serve")
        logger.logLevel = .critical
        let pool = DatabasePool(url: server.databaseURL, size: 1, queueLimit: 8, timeout: .milliseconds(500))
        defer { pool.shutdown() }
        let registry = PrometheusCollectorRegistry()
        let app = Application(router: server.router(pool: pool, registry: registry, logger: logger), logger: logger)
        try await app.test(.router) { client in try await body(client, registry) }
    }

    func call(
        _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, token: String? = nil,
        body: String? = nil
    ) async throws -> (status: Int, headers: HTTPFields, body: String) {
        let headers: HTTPFields = token.map { [.authorization: "Bearer \($0)"] } ?? [:]
        return try await client.execute(
            uri: uri, method: method, headers: headers,
            body: body.map { ByteBuffer(string: $0) }
        ) { response in
            (Int(response.status.code), response.headers, String(buffer: response.body))
        }
    }

    static func scrape(_ registry: PrometheusCollectorRegistry) -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    @Test("each API answer is counted once with its route and status, refusals too; probes and 405s are not")
    func requestsCounted() async throws {
        try await withServer { client, registry in
            let path = "/v1/tenants/t-1/production-status"
            #expect(try await call(client, .get, path, token: TestTokens.status).status == 503)
            #expect(try await call(client, .get, path, token: TestTokens.status).status == 503)
            #expect(try await call(client, .head, path, token: TestTokens.status).status == 503)
            #expect(try await call(client, .get, path).status == 401)
            let badId = "/v1/tenants/t-1/transaction-attempts/e%00"
            #expect(try await call(client, .get, badId, token: TestTokens.all).status == 400)
            let posted = try await call(
                client, .post, "/v1/transaction-attempts?wait_ms=0", token: TestTokens.all,
                body: AccessRoutesTests.attempt("e-1", tenant: "t-1"))
            #expect(posted.status == 202, "\(posted)")
            #expect(try await call(client, .get, "/healthz").status == 200)
            #expect(try await call(client, .post, path).status == 405)
            let metrics = Self.scrape(registry)
            for line in [
                #"livegate_http_requests_total{route="production_status",status="503"} 3"#,
                #"livegate_http_requests_total{route="production_status",status="401"} 1"#,
                #"livegate_http_requests_total{route="get_attempt_verdict",status="400"} 1"#,
                #"livegate_http_requests_total{route="post_attempt",status="202"} 1"#,
                #"livegate_http_request_duration_seconds_count{route="production_status"} 4"#,
                #"livegate_http_request_duration_seconds_count{route="post_attempt"} 1"#,
            ] {
                #expect(metrics.contains(line), "missing \(line) in:\n\(metrics)")
            }
            let counted = metrics.split(separator: "\n").filter { $0.hasPrefix("livegate_http_requests_total{") }
            #expect(counted.count == 4, "probes, scrapes and 405s are not API answers: \(counted)")
        }
    }

    @Test("a method a served path does not answer is 405 with Allow and the contract's error body")
    func methodNotAllowed() async throws {
        try await withServer { client, _ in
            for (method, path, allowed) in [
                (HTTPRequest.Method.post, "/v1/tenants/t-1/production-status", "GET, HEAD"),
                (.delete, "/v1/tenants/production-status", "GET, HEAD"),
                (.get, "/v1/transaction-attempts", "POST"),
                (.put, "/v1/tenants/t-1/transaction-resolutions/e-1", "GET, HEAD"),
                (.post, "/healthz", "GET, HEAD"),
                (.delete, "/metrics", "GET, HEAD"),
            ] {
                let answer = try await call(client, method, path, token: TestTokens.all)
                #expect(answer.status == 405 && answer.headers[.allow] == allowed, "\(method) \(path): \(answer)")
                let body = try? JSONParser.parse(Array(answer.body.utf8))
                #expect(body?["reason"]?.stringValue == "method_not_allowed", "\(method) \(path): \(answer.body)")
            }
            #expect(try await call(client, .get, "/v1/nothing-here").status == 404, "an unknown path stays 404")
        }
    }
}
