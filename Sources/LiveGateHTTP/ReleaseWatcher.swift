import Foundation
import LiveGateCore
import LiveGateStore
import Logging
import Metrics

/// Every `interval` (30 s), one query through `serve`'s pool sets the gauge `livegate_release_heavy_tenants`:
/// the tenants whose failed resolutions released, today (UTC), more than half of what they booked today
/// (`ReleaseWatch`). The alert rule on it is named in deploy/prometheus; keep the name. A failed query is
/// logged and the gauge keeps its last value; it never takes more than one pool slot and its deadline.
public struct ReleaseWatcher: Sendable {
    public static let metricName = "livegate_release_heavy_tenants"
    public static let defaultInterval = Duration.seconds(30)

    let pool: DatabasePool
    let interval: Duration
    let logger: Logger

    public init(pool: DatabasePool, interval: Duration = defaultInterval, logger: Logger) {
        self.pool = pool
        self.interval = interval
        self.logger = logger
    }

    /// Checks now, then every `interval`, until the task is cancelled.
    public func run() async {
        let gauge = Gauge(label: Self.metricName)
        while !Task.isCancelled {
            if let count = await check() { gauge.record(count) }
            try? await Task.sleep(for: interval)
        }
    }

    /// The count now, or nil (logged) when PostgreSQL did not give it.
    public func check() async -> Int? {
        do {
            let now = WallClock.now()
            return try await pool.run { try ReleaseWatch.heavyTenants(at: now, on: $0) }
        } catch {
            logger.warning(
                "the release watch could not read PostgreSQL; the gauge keeps its last value",
                metadata: ["error": "\(error)"])
            return nil
        }
    }
}
