import Kafka
import LiveGateCore

/// The one-call path for money paths: `POST /v1/transaction-attempts` (and `/v1/transaction-resolutions`)
/// publishes the body to `sly.transaction-attempt.v1`, keyed by its tenant, and waits up to `wait_ms` for its
/// verdict: 200 with the verdict's bytes as published, or 202 with where to look later. `GET` on
/// `/v1/tenants/{tenant_id}/transaction-attempts/{event_id}` (or `…/transaction-resolutions/…`) returns the
/// stored verdict. Each request waits on a bounded registry fed by one reader of the verdict topic per server.
public struct VerdictPath: Sendable {
    /// What a route posts and reads back.
    public enum Kind: CaseIterable, Sendable {
        case attempt, resolution

        /// The path segment: `transaction-attempts` or `transaction-resolutions`.
        public var collection: String { self == .attempt ? "transaction-attempts" : "transaction-resolutions" }
        public var eventType: EventType { self == .attempt ? .transactionAttempted : .transactionResolved }
        var route: String { self == .attempt ? "post_attempt" : "post_resolution" }
        var storedRoute: String { self == .attempt ? "get_attempt_verdict" : "get_resolution_verdict" }
    }

    public let waiters: VerdictWaiters
    public let publisher: any RecordPublishing
    /// Whether the verdict feed reads (`/readyz`).
    public let feedIsHealthy: @Sendable () -> Bool
    /// The longest wait this server grants (`--max-wait-ms`); a larger `wait_ms` is cut to it.
    public let longestWaitMillis: Int

    public static let defaultWaitMillis = 2000
    public static let maxWaitMillis = 10_000
    /// The least time a request gives Kafka to acknowledge its input (a `wait_ms` of 0 still waits for that):
    /// past it, or past `wait_ms` when that is longer, the answer is 503 instead of waiting out
    /// `message.timeout.ms` (30 s) while the brokers are away.
    public static let shortestPublishTime = Duration.seconds(1)

    public init(
        waiters: VerdictWaiters, publisher: any RecordPublishing, feedIsHealthy: @escaping @Sendable () -> Bool,
        longestWaitMillis: Int = maxWaitMillis
    ) {
        self.waiters = waiters
        self.publisher = publisher
        self.feedIsHealthy = feedIsHealthy
        self.longestWaitMillis = min(max(0, longestWaitMillis), Self.maxWaitMillis)
    }

    public init(
        waiters: VerdictWaiters, publisher: Publisher, feed: VerdictFeed, longestWaitMillis: Int = maxWaitMillis
    ) {
        self.init(
            waiters: waiters, publisher: publisher, feedIsHealthy: { feed.isHealthy },
            longestWaitMillis: longestWaitMillis)
    }
}

/// What publishes a posted input: `Publisher`, or a test's stand-in.
public protocol RecordPublishing: Sendable {
    /// Queues `record`; `done` is called once it is acknowledged or failed.
    func publish(_ record: ProducerRecord, done: @escaping @Sendable (Result<Void, PublishFailure>) -> Void)
}

extension Publisher: RecordPublishing {}
