import HTTPCommon
import Hummingbird
import LiveGatePipeline
import Logging
import Prometheus

/// The worker's HTTP side (`livegate run --http HOST:PORT`): `/metrics` in the Prometheus text format,
/// `/healthz` (200 while every lane's loop turns, also while it waits for PostgreSQL, so an orchestrator
/// does not restart a worker that is waiting correctly) and `/readyz` (200 when every lane is in the group
/// and PostgreSQL answers it, 503 with the reasons otherwise). Another method on these paths is 405.
///
/// Its requests are not counted in `livegate_http_requests_total`: that family is serve's callers, and
/// scrapes and probes would only dilute it.
public enum WorkerEndpoints {
    /// The routes, as the router names them.
    public static let routes = ["GET /metrics", "GET /healthz", "GET /readyz"]

    public static func application(
        host: String, port: Int, health: WorkerHealth,
        registry: PrometheusCollectorRegistry, logger: Logger
    ) -> some ApplicationProtocol {
        Application(
            router: router(health: health, registry: registry),
            configuration: .init(address: .hostname(host, port: port), serverName: "livegate"),
            logger: logger)
    }

    /// The routes on a router of their own (the tests run it in process).
    public static func router(
        health: WorkerHealth,
        registry: PrometheusCollectorRegistry
    ) -> Router<BasicRequestContext> {
        let router = Router(options: .autoGenerateHeadEndpoints)
        PrometheusScrape.add(to: router, registry: registry)
        router.get("healthz") { _, _ -> Response in
            let stuck = health.stuckLanes
            guard stuck.isEmpty else {
                return PlainText.response(
                    .serviceUnavailable,
                    "stuck lanes: \(stuck.map(String.init).joined(separator: ", "))\n")
            }
            return PlainText.response(.ok, "ok\n")
        }
        router.get("readyz") { _, _ -> Response in
            let reasons = health.notReadyReasons
            guard reasons.isEmpty else {
                return PlainText.response(.serviceUnavailable, reasons.joined(separator: "\n") + "\n")
            }
            return PlainText.response(.ok, "ready\n")
        }
        router.add(middleware: AllowedMethods(routes: routes))  // last: for requests no route answers
        return router
    }
}
