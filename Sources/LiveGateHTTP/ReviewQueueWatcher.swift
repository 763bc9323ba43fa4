import LiveGateCore
import LiveGateStore
import Logging
import Metrics

/// Every `interval` (30 s), one bounded read through `serve`'s pool sets the review queue's gauges, so the
/// review promise ("a decision within 1–3 business days") can page before a tenant waits past it. The alert
/// rule `LiveGateReviewOverdue` in deploy/prometheus reads `livegate_review_queue_overdue`: keep the names.
/// A failed read is logged (never a tenant or an owner) and the gauges keep their last values.
public struct ReviewQueueWatcher: Sendable {
    /// Declarations waiting for a decision, all of them (an exact count).
    public static let pendingMetric = "livegate_review_queue_pending"
    /// Those past their `due_at`, among the oldest `settings.max` (overdue ones are the oldest, so all of them
    /// unless more than `max` are overdue).
    public static let overdueMetric = "livegate_review_queue_overdue"
    /// Seconds since the oldest pending declaration; 0 when none waits.
    public static let oldestAgeMetric = "livegate_review_queue_oldest_age_seconds"
    public static let defaultInterval = Duration.seconds(30)

    /// What one read found.
    public struct Reading: Sendable, Equatable {
        public let pending: Int
        public let overdue: Int
        public let oldestAgeSeconds: Int64
    }

    let pool: DatabasePool
    let settings: ReviewQueue.Settings
    let interval: Duration
    let logger: Logger
    let factory: any MetricsFactory

    /// `factory`: where the gauges go (the process's metrics system by default; a test passes its own).
    public init(
        pool: DatabasePool, settings: ReviewQueue.Settings, interval: Duration = defaultInterval, logger: Logger,
        factory: any MetricsFactory = MetricsSystem.factory
    ) {
        self.pool = pool
        self.settings = settings
        self.interval = interval
        self.logger = logger
        self.factory = factory
    }

    /// Refreshes now, then every `interval`, until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            await refresh()
            try? await Task.sleep(for: interval)
        }
    }

    /// One read, recorded in the gauges; the reading, or nil when the gauges kept their last values.
    @discardableResult
    public func refresh() async -> Reading? {
        guard let reading = await check() else { return nil }
        Gauge(label: Self.pendingMetric, factory: factory).record(reading.pending)
        Gauge(label: Self.overdueMetric, factory: factory).record(reading.overdue)
        Gauge(label: Self.oldestAgeMetric, factory: factory).record(reading.oldestAgeSeconds)
        return reading
    }

    /// The reading now, or nil (logged) when PostgreSQL did not give it.
    public func check() async -> Reading? {
        let settings = settings
        do {
            let now = WallClock.now()
            let page = try await pool.run { try PendingDeclarations.load(limit: settings.max, on: $0) }
            let queue = ReviewQueue(page.oldest, settings: settings, now: now)
            return Reading(pending: page.total, overdue: queue.overdueCount, oldestAgeSeconds: queue.oldestAgeSeconds)
        } catch {
            logger.warning(
                "the review queue watch could not read PostgreSQL; the gauges keep their last values",
                metadata: ["error": "\(error)"])
            return nil
        }
    }
}
