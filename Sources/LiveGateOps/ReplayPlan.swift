import Kafka

/// Which offsets of each partition a replay reads, from what the brokers said about the partitions. Pure, so
/// each rule has a unit test: the embedded broker cannot look offsets up by time, so no process proof can.
struct ReplayPlan: Equatable {
    /// What the replay was asked for; nil bounds are the partition's own.
    struct Bounds: Equatable {
        var fromOffset: Int64?
        var toOffset: Int64?
        /// The first record at or after this time (milliseconds since the epoch).
        var fromMillis: Int64?
        /// The last record at or before this time.
        var toMillis: Int64?
    }

    /// What the brokers said about one partition.
    struct Partition: Equatable {
        var partition: TopicPartition
        /// The first offset kept, and the offset after the last record (the watermarks).
        var low: Int64
        var high: Int64
        /// The first offset whose timestamp is at or after `fromMillis`, and after `toMillis`, where they were
        /// asked; librdkafka answers -1 when no record is that late.
        var firstAtOrAfterFrom: Int64?
        var firstAfterTo: Int64?
    }

    /// The offsets to read, first to last inclusive, of every partition that has any.
    let ranges: [TopicPartition: ClosedRange<Int64>]

    init(_ partitions: [Partition], bounds: Bounds) {
        var ranges: [TopicPartition: ClosedRange<Int64>] = [:]
        for p in partitions {
            guard let range = Self.range(p, bounds) else { continue }
            ranges[p.partition] = range
        }
        self.ranges = ranges
    }

    static func range(_ p: Partition, _ bounds: Bounds) -> ClosedRange<Int64>? {
        var first = bounds.fromOffset ?? p.low
        var last = bounds.toOffset ?? (p.high - 1)
        if bounds.fromMillis != nil {
            // No record at or after the start time: nothing of this partition is in the window.
            guard let found = p.firstAtOrAfterFrom, found >= 0 else { return nil }
            first = max(first, found)
        }
        if bounds.toMillis != nil, let after = p.firstAfterTo, after >= 0 {
            last = min(last, after - 1)  // -1: every record is at or before the end time
        }
        first = max(first, p.low)
        last = min(last, p.high - 1)
        return first <= last ? first...last : nil
    }
}
