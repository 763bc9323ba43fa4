import ArgumentParser
import Kafka
import LiveGateCore
import LiveGateOps
import LiveGatePipeline
import LiveGateStore

struct Offsets: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Move the workers' consumer group on an input topic.", subcommands: [Reset.self])

    struct Reset: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set the group's committed offset on an input topic (a dry run unless --execute).",
            discussion: """
                Moving back makes the workers read records again: each gets its stored verdict again, byte for \
                byte, and nothing is counted twice. Moving forward skips records for good: they are never \
                decided. Refused while workers of the group are live (their heartbeats in PostgreSQL, when a \
                database is given, and the group's membership on the brokers): exit 1. Exit 64 for a partition \
                the topic does not have, 2 when Kafka or PostgreSQL cannot be reached.
                """)

        @OptionGroup var broker: BrokerOptions
        @OptionGroup var group: GroupOptions

        /// Optional here: when given, workers' heartbeats in PostgreSQL also refuse the reset.
        @OptionGroup var database: DatabaseOptions

        @Option(help: "The input topic.")
        var topic: String

        @Option(help: "One partition (default: every partition of the topic).")
        var partition: Int32?

        @Option(
            name: .customLong("to-offset"), help: "The offset to resume from (kept within the partition's records).")
        var toOffset: Int64?

        @Flag(name: .customLong("to-earliest"), help: "Resume from the first record the broker holds.")
        var toEarliest = false

        @Flag(name: .customLong("to-latest"), help: "Resume after the last record (skip everything unread).")
        var toLatest = false

        @Flag(help: "Commit the new offsets; without it, only show them.")
        var execute = false

        @Flag(help: "Print one JSON object instead of a table.")
        var json = false

        func validate() throws {
            guard [toOffset != nil, toEarliest, toLatest].filter({ $0 }).count == 1 else {
                throw ValidationError("Give exactly one of --to-offset N, --to-earliest, --to-latest.")
            }
            guard Topics.inputs.contains(topic) else {
                throw ValidationError("--topic must be an input topic: \(Topics.inputs.joined(separator: ", ")).")
            }
            if let toOffset, toOffset < 0 { throw ValidationError("--to-offset must be 0 or more.") }
        }

        var target: OffsetResetPlan.Target {
            if let toOffset { return .offset(toOffset) }
            return toEarliest ? .earliest : .latest
        }

        func run() throws {
            try broker.reaching { brokers, settings in try reset(brokers: brokers, settings: settings) }
        }

        func reset(brokers: String, settings: KafkaSettings) throws {
            let offsets = try GroupOffsets.read(
                brokers: brokers, group: group.name, topics: [topic], settings: settings)
            let plan = try OffsetResetPlan(offsets: offsets, topic: topic, partition: partition, target: target)
            if execute {
                if let url = try database.optionalURL() {
                    let live = try ReplayAudit.liveMembers(
                        url: url, group: group.name, seconds: Replayer.liveWindowSeconds)
                    guard live.isEmpty else { throw OffsetResetPlan.Failure.groupActive(group.name, live) }
                }
                try plan.execute(brokers: brokers, settings: settings)
            }
            if json {
                var object = plan.json
                if case let .object(fields) = object { object = .object(fields + [("executed", .bool(execute))]) }
                print(JSONWriter.string(object))
                return
            }
            print(
                "group \(plan.group), topic \(plan.topic)"
                    + (execute ? "" : " (dry run: nothing committed; add --execute)"))
            for move in plan.moves {
                let effect =
                    move.change > 0 ? "re-read \(move.change)" : move.change < 0 ? "skip \(-move.change)" : "no change"
                print(
                    "partition \(String(move.partition.partition).leftPadded(3))  committed "
                        + "\((move.committed.map(String.init) ?? "none").leftPadded(10))  -> \(String(move.target).leftPadded(10))"
                        + "  (earliest \(move.earliest), end \(move.end); \(effect))")
            }
            if execute { print("committed") }
        }
    }
}
