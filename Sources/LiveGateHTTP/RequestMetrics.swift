import Hummingbird
import Metrics

/// Counts every answer of serve's API routes (`livegate_http_requests_total{route,status}`, refusals
/// included) and times it (`livegate_http_request_duration_seconds{route}`, from the request's head to its
/// answer), once for every route, so a handler cannot forget to. Probes and scrapes are not counted: a
/// `/readyz` 503 is not a failed call, and would set off `LiveGateHTTPErrors`.
///
/// Added before every route, it is the outermost middleware: one more layer of async frames per waiting call,
/// measured at about 1.6 KiB (`ServeBoundsProofTests`: 10,000 waiting calls peak at 227–229 MiB with it,
/// 211–213 MiB without), well inside the 256 MiB the default bounds promise.
struct RequestMetrics: RouterMiddleware {
    typealias Context = ServeContext
    /// The `route` label by the router's name for the route (`GET /v1/tenants/{tenant_id}/production-status`).
    let labels: [String: String]
    /// Where the metrics go: the registry `/metrics` emits (injected, so tests read their own).
    let factory: any MetricsFactory

    init(factory: any MetricsFactory) {
        self.factory = factory
        var labels = [
            "GET /v1/tenants/production-status": "production_status",
            "GET /v1/tenants/{tenant_id}/production-status": "production_status",
            "POST /v1/tenants/{tenant_id}/ceiling-simulations": "ceiling_simulation",
            "GET /v1/review-queue": "review_queue",
        ]
        for kind in VerdictPath.Kind.allCases {
            labels["POST /v1/\(kind.collection)"] = kind.route
            labels["GET /v1/tenants/{tenant_id}/\(kind.collection)/{event_id}"] = kind.storedRoute
        }
        self.labels = labels
    }

    /// The label of a route (HEAD is counted as GET), or nil for one that is not counted.
    func label(method: HTTPRequest.Method, route: String) -> String? {
        labels["\(method == .head ? "GET" : method.rawValue) \(route)"]
    }

    func handle(
        _ request: Request, context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let route = context.endpointPath, let label = label(method: request.method, route: route) else {
            return try await next(request, context)
        }
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(label, status: response.status.code, since: started)
            return response
        } catch {
            // Hummingbird turns the error into the answer after this; count what it will answer.
            record(label, status: (error as? any HTTPResponseError)?.status.code ?? 500, since: started)
            throw error
        }
    }

    private func record(_ label: String, status: Int, since started: ContinuousClock.Instant) {
        Counter(
            label: HTTPMetrics.requestsTotal, dimensions: [("route", label), ("status", String(status))],
            factory: factory
        ).increment()
        Timer(
            label: HTTPMetrics.requestDurationSeconds, dimensions: [("route", label)],
            preferredDisplayUnit: .seconds, factory: factory
        )
        .recordNanoseconds((ContinuousClock.now - started).nanoseconds)
    }
}
