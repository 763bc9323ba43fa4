import Dispatch
import Kafka
import LiveGateCore
import LiveGateStore

/// What a lane in the `.reader` role reads and what it found: the ranges of a replay, how far each partition
/// got, the counts for the audit row. The lane's machine, retries, reconnects and producer are the workers'
/// own; only where records come from (an assignment, not the group) and where they go (nowhere, in a dry run)
/// differ.
final class ReplayJob: @unchecked Sendable {  // used by its one lane thread only
    /// Offsets to read, first to last inclusive, per partition.
    let ranges: [TopicPartition: ClosedRange<Int64>]
    /// Evaluate without keeping or publishing anything.
    let dryRun: Bool
    /// Records done so far, and in all.
    let progress: (Int64, Int64) -> Void
    /// A reader that sees no record for this long while records remain fails, naming the offset it waited for.
    static let idleNanos: UInt64 = 30_000_000_000

    private(set) var counts = ReplayAudit.Counts()
    /// The next offset to read of each partition; past its range's end, the partition is done.
    private(set) var next: [TopicPartition: Int64]
    private var lastRecordNanos: UInt64

    /// `startedNanos`: when the reader starts waiting for its first record (monotonic).
    init(
        ranges: [TopicPartition: ClosedRange<Int64>], dryRun: Bool,
        startedNanos: UInt64 = DispatchTime.now().uptimeNanoseconds, progress: @escaping (Int64, Int64) -> Void
    ) {
        self.ranges = ranges
        self.dryRun = dryRun
        self.progress = progress
        next = ranges.mapValues(\.lowerBound)
        lastRecordNanos = startedNanos
    }

    var total: Int64 { ranges.values.reduce(0) { $0 + Int64($1.count) } }
    var done: Int64 {
        ranges.reduce(0) { sum, entry in sum + (next[entry.key] ?? entry.value.lowerBound) - entry.value.lowerBound }
    }
    var isComplete: Bool { ranges.allSatisfy { (next[$0.key] ?? $0.value.lowerBound) > $0.value.upperBound } }

    /// Where a new session resumes: each unfinished partition at its next offset.
    var resumeOffsets: [TopicPartition: Int64] {
        next.filter { tp, offset in ranges[tp].map { offset <= $0.upperBound } ?? false }
    }

    /// Records of a poll within the ranges; the time of the last one, for the idle bound.
    func within(_ records: [ConsumedRecord], at now: UInt64) -> [ConsumedRecord] {
        let kept = records.filter { record in
            let tp = TopicPartition(topic: record.topic, partition: record.partition)
            return ranges[tp].map { $0.contains(record.offset) } ?? false
        }
        if !kept.isEmpty { lastRecordNanos = now }
        return kept
    }

    /// The offset a reader idle past `idleNanos` waited for, if it has been idle that long.
    func idleSince(_ now: UInt64) -> (TopicPartition, Int64)? {
        guard now &- lastRecordNanos >= Self.idleNanos else { return nil }
        return resumeOffsets.min { $0.value < $1.value }.map { ($0.key, $0.value) }
    }

    /// A batch is done (applied and, unless a dry run, published).
    func finished(_ plan: BatchPlan, _ outcomes: [EventOutcome]) {
        counts.add(plan, outcomes)
        for (tp, offset) in plan.nextOffsets { next[tp] = max(next[tp] ?? 0, offset) }
        progress(done, total)
    }
}

extension ReplayAudit.Counts {
    mutating func add(_ plan: BatchPlan, _ outcomes: [EventOutcome]) {
        records += plan.records.count
        deadLetters += plan.deadLetterCount
        for outcome in outcomes {
            switch outcome {
            case .applied: applied += 1
            case .duplicate: duplicates += 1
            case .conflict, .refused: conflicts += 1
            }
        }
    }
}
