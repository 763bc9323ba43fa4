import Hummingbird
import LiveGatePipeline
import Logging
import Prometheus

/// The worker's HTTP side (`livegate run --http HOST:PORT`): `/metrics` in the Prometheus text format,
/// `/healthz` (200 while every lane's loop turns, also while it waits for PostgreSQL, so an orchestrator
/// does not restart a worker that is waiting correctly) and `/readyz` (200 when every lane is in the group
/// and PostgreSQL answers it, 503 with the reasons otherwise).
public enum WorkerEndpoints {
    public static func application(host: String, port: Int, health: WorkerHealth, registry: PrometheusCollectorRegistry,
                                   logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        addMetrics(to: router, registry: registry)
        router.get("healthz") { _, _ -> Response in
            let stuck = health.stuckLanes
            return text(stuck.isEmpty ? .ok : .serviceUnavailable,
                        stuck.isEmpty ? "ok\n" : "stuck lanes: \(stuck.map(String.init).joined(separator: ", "))\n")
        }
        router.get("readyz") { _, _ -> Response in
            let reasons = health.notReadyReasons
            return text(reasons.isEmpty ? .ok : .serviceUnavailable, reasons.isEmpty ? "ready\n" : reasons.joined(separator: "\n") + "\n")
        }
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "livegate"),
                           logger: logger)
    }

    /// `/metrics` of `registry`, on any router (the worker's, and `livegate serve`'s).
    public static func addMetrics<Context: RequestContext>(to router: Router<Context>, registry: PrometheusCollectorRegistry) {
        router.get("metrics") { _, _ -> Response in
            var buffer: [UInt8] = []
            buffer.reserveCapacity(16 * 1024)
            registry.emit(into: &buffer)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }

    static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// Splits `HOST:PORT` (IPv6 hosts in brackets); nil when it is not one.
public func parseListenAddress(_ text: String) -> (host: String, port: Int)? {
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
          (0...65535).contains(port) else { return nil }
    var host = String(text[..<colon])
    if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    return host.isEmpty ? nil : (host, port)
}
