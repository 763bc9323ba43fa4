import Kafka
import LiveGateCore

/// The consumer group's position on the input topics, for `livegate lag` and `livegate offsets reset`.
public struct GroupOffsets: Sendable {
    public struct Row: Sendable {
        public let partition: TopicPartition
        /// The next offset the group reads; nil when it has committed none (it starts at the earliest).
        public let committed: Int64?
        public let earliest: Int64
        public let end: Int64

        /// Records the group has not read yet.
        public var lag: Int64 { end - max(committed ?? earliest, earliest) }
    }

    public let group: String
    public let rows: [Row]

    /// Every partition of `topics`, read from the brokers.
    public static func read(
        brokers: String, group: String, topics: [String] = Topics.inputs,
        settings: KafkaSettings = KafkaSettings()
    ) throws -> GroupOffsets {
        let existing = try TopicAdmin(brokers: brokers, settings: settings).describe()
        let partitions = topics.flatMap { topic in
            (0..<Int32(existing[topic]?.partitions ?? 0)).map { TopicPartition(topic: topic, partition: $0) }
        }
        let consumer = try KafkaConsumer(brokers: brokers, offsetsOf: group, settings: settings)
        let committed = try consumer.committed(partitions)
        let rows = try partitions.map { tp in
            let (low, high) = try consumer.watermarks(tp)
            return Row(partition: tp, committed: committed[tp] ?? nil, earliest: low, end: high)
        }
        return GroupOffsets(group: group, rows: rows)
    }

    public var json: JSONValue {
        .object([
            ("group", .string(group)),
            (
                "partitions",
                .array(
                    rows.map { row in
                        .object([
                            ("topic", .string(row.partition.topic)),
                            ("partition", .number(String(row.partition.partition))),
                            ("committed", row.committed.map { .number(String($0)) } ?? .null),
                            ("earliest", .number(String(row.earliest))), ("end", .number(String(row.end))),
                            ("lag", .number(String(row.lag))),
                        ])
                    })
            ), ("total_lag", .number(String(rows.reduce(0) { $0 + $1.lag }))),
        ])
    }
}
