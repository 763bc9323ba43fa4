import Hummingbird
import HummingbirdTesting
import LiveGatePipeline
import LiveGateWorkerHTTP
import Logging
import Prometheus
import Testing

/// The worker's endpoints in process (the spawned worker's are in `WorkerEndpointsTests`).
@Suite("the worker's /metrics, /healthz and /readyz, in process")
struct WorkerRoutesTests {
    func withWorkerEndpoints(
        _ health: WorkerHealth,
        _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let registry = PrometheusCollectorRegistry()
        registry.makeCounter(name: "livegate_input_records_total").increment(by: Int64(3))
        var logger = Logger(label: "test.worker-http")
        logger.logLevel = .critical
        let app = Application(router: WorkerEndpoints.router(health: health, registry: registry), logger: logger)
        try await app.test(.router, body)
    }

    func call(_ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String) async throws
        -> (status: Int, headers: HTTPFields, body: String)
    {
        try await client.execute(uri: uri, method: method) { response in
            (Int(response.status.code), response.headers, String(buffer: response.body))
        }
    }

    @Test("live while the lanes turn, not ready with the reasons until they are in the group; the registry scraped")
    func probesAndScrape() async throws {
        try await withWorkerEndpoints(WorkerHealth(lanes: 2, stuckAfterSeconds: 60)) { client in
            let live = try await call(client, .get, "/healthz")
            #expect(live.status == 200 && live.body == "ok\n")
            let ready = try await call(client, .get, "/readyz")
            #expect(ready.status == 503, "no lane has joined its group yet")
            #expect(ready.body.contains("lane 0 is not in the group"), "\(ready.body)")
            #expect(ready.body.contains("lane 1 has no PostgreSQL"), "\(ready.body)")
            let metrics = try await call(client, .get, "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            #expect(metrics.body.contains("livegate_input_records_total 3"), "\(metrics.body)")
            #expect(try await call(client, .head, "/healthz").status == 200)
        }
    }

    @Test("a lane silent past its bound makes the worker not live")
    func stuckLane() async throws {
        try await withWorkerEndpoints(WorkerHealth(lanes: 1, stuckAfterSeconds: 0)) { client in
            try await Task.sleep(for: .milliseconds(5))
            let live = try await call(client, .get, "/healthz")
            #expect(live.status == 503 && live.body == "stuck lanes: 0\n", "\(live)")
        }
    }

    @Test("another method on the worker's paths is 405 with Allow; an unknown path 404")
    func methodNotAllowed() async throws {
        try await withWorkerEndpoints(WorkerHealth(lanes: 1, stuckAfterSeconds: 60)) { client in
            for path in WorkerEndpoints.routes.map({ String($0.dropFirst("GET ".count)) }) {
                for method in [HTTPRequest.Method.post, .put, .delete] {
                    let answer = try await call(client, method, path)
                    #expect(
                        answer.status == 405 && answer.headers[.allow] == "GET, HEAD",
                        "\(method) \(path): \(answer)")
                    #expect(answer.body == "only GET, HEAD here\n")
                }
            }
            #expect(try await call(client, .get, "/v1/tenants/t-1/production-status").status == 404)
        }
    }
}
