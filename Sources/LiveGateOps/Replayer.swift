import Foundation
import Kafka
import LiveGateCore
import LiveGatePipeline
import LiveGateStore
import Logging

/// Re-applies a range of one input partition, or of every partition of an input topic, through the normal
/// path (decode, store, publish), outside the live consumer group and without committing offsets. Inputs
/// already processed change nothing and get their stored verdicts republished; `dryRun` only reports what
/// would change. Every run leaves one row in `replay_audit`, however many partitions it read.
public struct Replayer {
    public struct Request: Sendable {
        public var brokers: String
        public var databaseURL: String
        public var topic: String
        /// One partition; nil: every partition of the topic, in one run with one audit row.
        public var partition: Int32?
        /// First offset to replay; default: the partition's first retained record.
        public var fromOffset: Int64?
        /// Alternatively, the first record at or after this time (brokers that support offset lookup only).
        public var fromMillis: Int64?
        /// Last offset to replay, inclusive; default: the last record present when the replay starts.
        public var toOffset: Int64?
        /// Alternatively, the last record at or before this time (brokers that support offset lookup only).
        public var toMillis: Int64?
        public var dryRun: Bool
        /// Replay even though workers of `liveGroup` reported in the last `liveWindowSeconds`.
        public var force: Bool
        public var liveGroup: String
        public var operatorName: String
        public var kafka: KafkaSettings
        public var rules: Rules

        public init(
            brokers: String, databaseURL: String, topic: String, partition: Int32?, fromOffset: Int64? = nil,
            fromMillis: Int64? = nil, toOffset: Int64? = nil, toMillis: Int64? = nil, dryRun: Bool = false,
            force: Bool = false,
            liveGroup: String = "livegate", operatorName: String, kafka: KafkaSettings = KafkaSettings(),
            rules: Rules = .standard
        ) {
            self.brokers = brokers
            self.databaseURL = databaseURL
            self.topic = topic
            self.partition = partition
            self.fromOffset = fromOffset
            self.fromMillis = fromMillis
            self.toOffset = toOffset
            self.toMillis = toMillis
            self.dryRun = dryRun
            self.force = force
            self.liveGroup = liveGroup
            self.operatorName = operatorName
            self.kafka = kafka
            self.rules = rules
        }
    }

    public enum Failure: Error, CustomStringConvertible {
        case groupActive(group: String, members: [String])
        case notAnInputTopic(String)
        case stalled(at: Int64)

        public var description: String {
            switch self {
            case let .groupActive(group, members):
                return
                    "workers of group \(group) are live (\(members.joined(separator: ", "))); stop them or pass --force"
            case let .notAnInputTopic(topic): return "\(topic) is not an input topic"
            case let .stalled(offset): return "no record arrived for 30 s before offset \(offset)"
            }
        }
    }

    /// Seconds within which a heartbeat makes a group count as live.
    public static let liveWindowSeconds = 30

    public let request: Request

    public init(_ request: Request) { self.request = request }

    /// The offsets to replay, `first...last`, or nil when the range is empty.
    /// The offsets to replay of each partition asked for (all of the topic's when the request names none),
    /// from what the brokers say about them (watermarks, offsets by time where asked), through `ReplayPlan`,
    /// whose rules are unit tests.
    public func ranges(_ consumer: KafkaConsumer) throws -> [TopicPartition: ClosedRange<Int64>] {
        let partitions: [Int32]
        if let partition = request.partition {
            partitions = [partition]
        } else {
            let count =
                try TopicAdmin(brokers: request.brokers, settings: request.kafka).describe()[request.topic]?
                .partitions ?? 0
            partitions = Array(0..<Int32(clamping: count))
        }
        let facts = try partitions.map { partition in
            let tp = TopicPartition(topic: request.topic, partition: partition)
            let (low, high) = try consumer.watermarks(tp)
            return ReplayPlan.Partition(
                partition: tp, low: low, high: high,
                firstAtOrAfterFrom: try request.fromMillis.map { try consumer.offset(tp, atOrAfter: $0) },
                firstAfterTo: try request.toMillis.map { try consumer.offset(tp, atOrAfter: $0 + 1) })
        }
        let bounds = ReplayPlan.Bounds(
            fromOffset: request.fromOffset, toOffset: request.toOffset,
            fromMillis: request.fromMillis, toMillis: request.toMillis)
        return ReplayPlan(facts, bounds: bounds).ranges
    }

    /// Replays the range through a lane of its own in the `.reader` role: the workers' machine, producer
    /// settings, retries, reconnects and batch deadline, outside the group and committing nothing.
    public func run(progress: @escaping (Int64, Int64) -> Void = { _, _ in }) throws -> ReplayAudit.Counts {
        guard Topics.inputs.contains(request.topic) else { throw Failure.notAnInputTopic(request.topic) }
        let live = try ReplayAudit.liveMembers(
            url: request.databaseURL, group: request.liveGroup,
            seconds: Self.liveWindowSeconds)
        if !live.isEmpty, !request.force { throw Failure.groupActive(group: request.liveGroup, members: live) }
        let probe = try KafkaConsumer(brokers: request.brokers, reading: [:], settings: request.kafka)
        let ranges = try ranges(probe)
        guard !ranges.isEmpty else { return ReplayAudit.Counts() }
        let audit = try ReplayAudit(
            url: request.databaseURL, operator: request.operatorName, topic: request.topic,
            ranges: Dictionary(uniqueKeysWithValues: ranges.map { ($0.key.partition, $0.value) }),
            wholeTopic: request.partition == nil, dryRun: request.dryRun, forced: request.force)
        let configuration = WorkerConfiguration(
            brokers: request.brokers, databaseURL: request.databaseURL, group: request.liveGroup,
            kafka: request.kafka, lanes: 1, rules: request.rules)
        do {
            let counts = try ReaderLane.read(
                ranges, configuration: configuration, dryRun: request.dryRun,
                logger: Logger(label: "livegate.replay"), progress: progress)
            try audit.finish(counts, result: "completed")
            return counts
        } catch {
            try? audit.finish(ReplayAudit.Counts(), result: "failed")
            if let stalled = error as? ReaderLane.Stalled { throw Failure.stalled(at: stalled.offset) }
            throw error
        }
    }
}
