import ArgumentParser
import Foundation
import LiveGateCore
import LiveGateOps
import LiveGatePipeline

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Re-apply a range of an input partition through the normal path; already processed inputs change nothing.",
        discussion: """
            Outside the live consumer group and without committing offsets. Inputs already processed get their
            stored verdicts republished byte for byte; with --dry-run nothing is published or kept, and the
            report says how many inputs would change. Every run is recorded in the replay_audit table.
            Refuses while workers of --group reported in the last 30 s, unless --force. Give it what the \
            workers trust (--decision-keys, --resolution-keys, or the same allowances), or the range is judged \
            by other rules than the live inputs were.
            """)

    @OptionGroup var broker: BrokerOptions
    @OptionGroup var database: DatabaseOptions

    @Option(help: "The input topic, e.g. \(Topics.transactionAttempt).")
    var topic: String

    @Option(help: "The partition (default: every partition of the topic, in one run).")
    var partition: Int32?

    @Option(name: .customLong("from-offset"), help: "First offset (default: the first retained record).")
    var fromOffset: Int64?

    @Option(
        name: .customLong("from-time"),
        help: "Start at the first record at or after this RFC 3339 time (brokers with offset lookup only).")
    var fromTime: String?

    @Option(name: .customLong("to-offset"), help: "Last offset, inclusive (default: the last record now present).")
    var toOffset: Int64?

    @Option(
        name: .customLong("to-time"),
        help: "End at the last record at or before this RFC 3339 time (brokers with offset lookup only).")
    var toTime: String?

    @Flag(name: .customLong("dry-run"), help: "Report what would change; publish and keep nothing.")
    var dryRun = false

    @Flag(help: "Replay even while the live group is active.")
    var force = false

    @OptionGroup var group: GroupOptions

    @OptionGroup var trust: TrustOptions

    @Option(
        name: .customLong("operator"),
        help: "Who runs the replay, for the audit row (env: LIVEGATE_OPERATOR; default: $USER).")
    var operatorName: String?

    func validate() throws {
        if fromOffset != nil, fromTime != nil { throw ValidationError("Give --from-offset or --from-time, not both.") }
        if let fromTime, RFC3339.parse(fromTime) == nil {
            throw ValidationError("--from-time is not an RFC 3339 time.")
        }
        if toOffset != nil, toTime != nil { throw ValidationError("Give --to-offset or --to-time, not both.") }
        if let toTime, RFC3339.parse(toTime) == nil { throw ValidationError("--to-time is not an RFC 3339 time.") }
    }

    func run() throws {
        let request = Replayer.Request(
            brokers: try broker.servers(), databaseURL: try database.url(), topic: topic, partition: partition,
            fromOffset: fromOffset, fromMillis: fromTime.flatMap(RFC3339.parse)?.millis, toOffset: toOffset,
            toMillis: toTime.flatMap(RFC3339.parse)?.millis,
            dryRun: dryRun, force: force, liveGroup: group.name,
            operatorName: operatorName ?? Env.get("LIVEGATE_OPERATOR") ?? Env.get("USER") ?? "unknown",
            kafka: try broker.settings(),
            rules: try trust.rules(logger: makeLogger(label: "livegate.replay", level: "info")))
        try SchemaCheck.refuseMismatch(
            url: request.databaseURL, logger: makeLogger(label: "livegate.replay", level: "info"))
        let bar = ProgressBar()
        let counts = try Replayer(request).run(progress: bar.update)
        bar.finish()
        let verb = dryRun ? "would change" : "changed"
        let what = "\(topic)/\(partition.map(String.init) ?? "all")\(dryRun ? " (dry run)" : "")"
        print(
            "replay \(what): \(counts.records) records, "
                + "\(counts.applied) \(verb), \(counts.duplicates) already processed, \(counts.conflicts) conflicts, "
                + "\(counts.deadLetters) dead letters")
    }
}

/// A one-line progress bar on stderr, drawn only when stderr is a terminal.
final class ProgressBar {
    private let enabled = isatty(2) == 1
    private var lastDrawn = Date.distantPast

    func update(_ done: Int64, _ total: Int64) {
        guard enabled, total > 0, Date().timeIntervalSince(lastDrawn) > 0.1 || done == total else { return }
        lastDrawn = Date()
        let width = 30
        let filled = Int(done * Int64(width) / total)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardError.write(Data("\r[\(bar)] \(done * 100 / total)% \(done)/\(total)".utf8))
    }

    func finish() { if enabled { FileHandle.standardError.write(Data("\n".utf8)) } }
}
