import Foundation
import Kafka
import LiveGateCore

/// Reads `sly.dead-letter.v1` from its first retained record to its end as of the start, outside any group
/// (nothing is committed, workers are not disturbed), and hands each matching dead letter to a closure one at
/// a time, so memory does not grow with the topic (30 days of retention). The mock broker cannot look offsets
/// up by time, and neither does this: `--since` is a filter on what is read.
public struct DeadLetterReader {
    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// The brokers stopped delivering before the end was reached.
        case stalled(seconds: Int, partitions: Int)

        public var description: String {
            switch self {
            case let .stalled(seconds, partitions):
                "no dead letters arrived for \(seconds) s with \(partitions) partitions still to read: "
                    + "is Kafka answering?"
            }
        }
    }

    /// How long reading may go without a record before it is given up as stalled.
    public static let stallSeconds = 15
    /// Records read per poll.
    static let pollRecords = 1_000

    let brokers: String
    let settings: KafkaSettings

    public init(brokers: String, settings: KafkaSettings) {
        self.brokers = brokers
        self.settings = settings
    }

    /// Calls `each` for every dead letter `filter` matches, in order within each partition; returns how many
    /// matched by error code.
    @discardableResult
    public func read(_ filter: DeadLetterFilter, each: (DeadLetterEntry) throws -> Void) throws -> [String: Int] {
        let start = try OutputWatcher.positions(
            brokers: brokers, topics: [Topics.deadLetter], settings: settings,
            from: .beginning)
        let consumer = try KafkaConsumer(brokers: brokers, reading: start, settings: settings)
        defer { consumer.close(timeoutMillis: 2_000) }
        var remaining: [TopicPartition: Int64] = [:]  // partition → the end as of now
        for partition in start.keys {
            let marks = try consumer.watermarks(partition)
            if marks.high > marks.low { remaining[partition] = marks.high }
        }
        var counts: [String: Int] = [:]
        var lastProgress = Date()
        while !remaining.isEmpty {
            let records = try consumer.poll(maxRecords: Self.pollRecords, maxWaitMillis: 200)
            if records.isEmpty, Date().timeIntervalSince(lastProgress) > Double(Self.stallSeconds) {
                throw Failure.stalled(seconds: Self.stallSeconds, partitions: remaining.count)
            }
            for record in records {
                lastProgress = Date()
                let partition = TopicPartition(topic: record.topic, partition: record.partition)
                guard let end = remaining[partition], record.offset < end else { continue }
                if record.offset + 1 >= end { remaining[partition] = nil }
                let entry = DeadLetterEntry(record)
                guard filter.matches(entry) else { continue }
                counts[entry.error, default: 0] += 1
                try each(entry)
            }
        }
        return counts
    }
}
