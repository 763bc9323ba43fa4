import Hummingbird
import Metrics

/// What `livegate serve` reports on `/metrics` about its requests; every name starts with `livegate_http_`.
/// (The release watch's gauge is declared in `ReleaseWatch`.)
enum HTTPMetrics {
    static func count(_ route: String, _ response: Response) -> Response {
        Counter(label: "livegate_http_requests_total", dimensions: [("route", route), ("status", String(response.status.code))])
            .increment()
        return response
    }

    static func duration(_ route: String, since start: ContinuousClock.Instant) {
        Timer(label: "livegate_http_request_duration_seconds", dimensions: [("route", route)], preferredDisplayUnit: .seconds)
            .recordNanoseconds((ContinuousClock.now - start).nanoseconds)
    }

    /// `reason`: overloaded, timeout, unauthorized, missing_scope, tenant_scope, tenant_required, waiters_full,
    /// body_budget, publish_queue_full, publish_not_acknowledged, publish_failed.
    static func rejected(_ reason: String) {
        Counter(label: "livegate_http_rejected_total", dimensions: [("reason", reason)]).increment()
    }

    /// Request bodies closed at `--body-timeout-ms`.
    static func bodyTimedOut() {
        Counter(label: "livegate_http_body_timeouts_total").increment()
    }
}
