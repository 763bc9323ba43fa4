import Kafka
import LiveGateCore

/// `livegate offsets reset`: moves the workers' group to another position on one input topic. Records before
/// the new position are never read by the group again; records after it are read again, and the store
/// answers each with its stored verdict (exactly-once in effect), so moving back is safe and moving forward
/// skips inputs for good.
public struct OffsetResetPlan: Sendable {
    public enum Target: Sendable, Equatable {
        case offset(Int64), earliest, latest
    }

    public struct Move: Sendable {
        public let partition: TopicPartition
        public let committed: Int64?
        public let earliest: Int64
        public let end: Int64
        public let target: Int64

        /// Records the group will read again (positive) or skip (negative) compared with where it is now.
        public var change: Int64 { max(committed ?? earliest, earliest) - target }
    }

    public enum Failure: Error, CustomStringConvertible {
        case noSuchPartition(String, Int32?)
        case groupActive(String, [String])
        case otherMembers(String)
        case notAMember(String)
        case notCommitted(TopicPartition, expected: Int64, found: Int64?)

        public var description: String {
            switch self {
            case let .noSuchPartition(topic, partition):
                return partition.map { "\(topic) has no partition \($0)" }
                    ?? "\(topic) does not exist or has no partitions"
            case let .groupActive(group, members):
                return "workers of group \(group) are live (\(members.joined(separator: ", "))); stop them first"
            case let .otherMembers(group):
                return "group \(group) has other members (the reset was not given every partition); stop them first"
            case let .notAMember(group):
                return "could not join group \(group) within 30 s to commit; nothing was changed"
            case let .notCommitted(tp, expected, found):
                return
                    "\(tp.topic)/\(tp.partition): committed \(found.map(String.init) ?? "none") instead of \(expected)"
            }
        }
    }

    public let group: String
    public let topic: String
    public let moves: [Move]
    /// All partitions of the topic, whether moved or not.
    let partitionCount: Int

    /// The moves for `partition` of `topic` (every partition when nil), each target kept within the records
    /// the broker holds.
    public init(offsets: GroupOffsets, topic: String, partition: Int32?, target: Target) throws {
        let rows = offsets.rows.filter {
            $0.partition.topic == topic && (partition == nil || $0.partition.partition == partition)
        }
        guard !rows.isEmpty else { throw Failure.noSuchPartition(topic, partition) }
        group = offsets.group
        self.topic = topic
        partitionCount = offsets.rows.filter { $0.partition.topic == topic }.count
        moves = rows.map { row in
            let wanted: Int64
            switch target {
            case let .offset(n): wanted = n
            case .earliest: wanted = row.earliest
            case .latest: wanted = row.end
            }
            return Move(
                partition: row.partition, committed: row.committed, earliest: row.earliest, end: row.end,
                target: min(max(wanted, row.earliest), row.end))
        }
    }

    /// Commits the moves for the group. Kafka takes a commit only from a member of the group (the embedded
    /// broker refuses even an empty group's), so the reset joins the group for a moment on `topic` alone, and
    /// gives up without committing unless it was handed every partition of the topic, which means no other
    /// member reads it; then it leaves at once. `settings` must be the workers' own: the member's session
    /// timeout is theirs, and on the embedded broker a joiner whose session is shorter than the one that
    /// just left is dropped while the group waits out the leaver's session (its JoinGroup never answered).
    /// A static membership id in them is dropped: joining under a worker's id would fence that worker, and a
    /// static member does not leave on close.
    public func execute(brokers: String, settings: KafkaSettings) throws {
        var settings = settings
        settings["group.instance.id"] = nil
        let member = try KafkaConsumer(brokers: brokers, group: group, topics: [topic], settings: settings)
        defer { member.close() }
        let deadline = ContinuousClock.now + .seconds(30)
        // Records polled while waiting are dropped: only the commit below moves the group.
        while !member.isGroupMember, ContinuousClock.now < deadline {
            _ = try member.poll(maxRecords: 1, maxWaitMillis: 200)
        }
        guard member.isGroupMember else { throw Failure.notAMember(group) }
        guard member.assignment.filter({ $0.topic == topic }).count == partitionCount else {
            throw Failure.otherMembers(group)
        }
        try member.commit(Dictionary(uniqueKeysWithValues: moves.map { ($0.partition, $0.target) }))
        let committed = try member.committed(moves.map(\.partition))
        for move in moves {
            let found = committed[move.partition] ?? nil
            if found != move.target { throw Failure.notCommitted(move.partition, expected: move.target, found: found) }
        }
    }

    public var json: JSONValue {
        .object([
            ("group", .string(group)), ("topic", .string(topic)),
            (
                "partitions",
                .array(
                    moves.map { move in
                        .object([
                            ("partition", .number(String(move.partition.partition))),
                            ("committed", move.committed.map { .number(String($0)) } ?? .null),
                            ("earliest", .number(String(move.earliest))), ("end", .number(String(move.end))),
                            ("target", .number(String(move.target))), ("reread", .number(String(max(0, move.change)))),
                            ("skipped", .number(String(max(0, -move.change)))),
                        ])
                    })
            ),
        ])
    }
}
