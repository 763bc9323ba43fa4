import ArgumentParser
import Foundation
import LiveGateCore
import LiveGateStore

struct Prune: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove idempotency records, usage windows and heartbeats that can no longer matter.",
        discussion: """
            Attempts' idempotency records older than --keep-days go (booked ones once the month they were booked \
            in has ended before that), with their resolutions, past usage windows and threshold notices, and \
            heartbeats older than a day. In chunks of 5,000 rows, each its own short transaction: safe while \
            workers run. --keep-days must exceed the input topics' retention (7 days): an input older than that \
            can only come back published again, and the broker's timestamp then denies it (occurred_at_skew); it \
            must also exceed the workers' release window (--release-window-days). Declarations, decisions and the \
            history are kept. Run it daily (deploy/k8s has a CronJob). Exit 2 when PostgreSQL cannot be reached.
            """)

    @OptionGroup var database: DatabaseOptions

    static let keepDaysSetting = IntegerSetting(
        option: "--keep-days", variable: "LIVEGATE_KEEP_DAYS",
        range: 8...3650, fallback: 8)

    /// Default 8: the input topics' 7 days of retention and a day of margin.
    @Option(
        name: .customLong("keep-days"),
        help: ArgumentHelp(
            "Days an attempt's idempotency record is kept: " + Prune.keepDaysSetting.help, valueName: "days"))
    var keepDays: Int?

    @Flag(name: .customLong("dry-run"), help: "Count what would go; remove nothing.")
    var dryRun = false

    /// The workers' `--release-window-days`: an attempt a signed failed resolution may still release must keep
    /// its record, or the release would find no attempt (404). Default: 7, as `livegate run`'s.
    @Option(
        name: .customLong("release-window-days"),
        help: ArgumentHelp(
            "The workers' release window: --keep-days must exceed it (env: LIVEGATE_RELEASE_WINDOW_DAYS; default "
                + "\(Rules.defaultReleaseWindowDays)).", valueName: "days"))
    var releaseWindowDays: Int64?

    func validate() throws {
        if let keepDays, !Self.keepDaysSetting.range.contains(keepDays) {
            throw ValidationError(
                "--keep-days must be 8 to 3650: the input topics keep records 7 days, plus a day "
                    + "of margin.")
        }
        if let releaseWindowDays, !Rules.releaseWindowDayRange.contains(releaseWindowDays) {
            throw ValidationError(
                "--release-window-days must be \(Rules.releaseWindowDayRange.lowerBound) to "
                    + "\(Rules.releaseWindowDayRange.upperBound).")
        }
    }

    func run() throws {
        let keepDays = try Self.keepDaysSetting.value(keepDays)
        let window =
            try releaseWindowDays
            ?? Env.integer("LIVEGATE_RELEASE_WINDOW_DAYS", in: Rules.releaseWindowDayRange)
            ?? Rules.defaultReleaseWindowDays
        guard Int64(keepDays) > window else {
            throw CommandFailure.usage(
                "--keep-days (\(keepDays)) must exceed the release window (\(window) days): an "
                    + "attempt a failed resolution may still release must keep its record.")
        }
        let now = WallClock.now()
        let counts = try Retention.prune(
            url: try database.url(), policy: .init(keepSeconds: Int64(keepDays) * 86_400),
            now: now, dryRun: dryRun)
        print(
            "prune\(dryRun ? " (dry run: nothing removed)" : ""): \(counts.attempts) attempts, \(counts.resolutions) "
                + "resolution records, \(counts.usageWindows) usage windows, \(counts.thresholdNotices) threshold notices, "
                + "\(counts.heartbeats) heartbeats; windows and bookings kept from \(counts.keptFrom)")
    }
}
