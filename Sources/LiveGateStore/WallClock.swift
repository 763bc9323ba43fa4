import Foundation
import LiveGateCore

/// The one reading of the wall clock. The core decides with the instants it is handed and never reads a clock
/// itself (so its tests replay any moment); the edges that need "now" (serve's status read, the release watch,
/// prune, the log lines, the bench, the tools) take it from here, one definition of how a `Date` becomes a
/// `UTCInstant` (whole milliseconds since the epoch, rounded down).
public enum WallClock {
    /// Now, to the millisecond.
    public static func now() -> UTCInstant { instant(of: Date()) }

    /// `date` as an instant, to the millisecond (rounded toward the past, also before 1970).
    public static func instant(of date: Date) -> UTCInstant {
        UTCInstant(millis: Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))
    }

    /// Now, in microseconds since the epoch: for stage stamps, where milliseconds are too coarse.
    public static func nowMicros() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
    }
}
