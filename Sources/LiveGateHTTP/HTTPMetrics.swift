import Hummingbird
import Metrics

/// What `livegate serve` reports on `/metrics` about its requests; every name starts with `livegate_http_`.
/// (The release watch's gauge is declared in `ReleaseWatch`.) Requests are counted and timed by the
/// `RequestMetrics` middleware, refusals and cut bodies where they happen.
enum HTTPMetrics {
    /// Answers of the API routes, by `route` label and `status` code.
    static let requestsTotal = "livegate_http_requests_total"
    /// From the request's head to its answer, by `route` label.
    static let requestDurationSeconds = "livegate_http_request_duration_seconds"

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
