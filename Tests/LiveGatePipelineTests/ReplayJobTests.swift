import LiveGateCore
import Testing

@testable import Kafka
@testable import LiveGatePipeline

/// A replay lane's bookkeeping: which records are its, how far each partition got, when it gives up waiting.
@Suite("A replay's job")
struct ReplayJobTests {
    static let p0 = TopicPartition(topic: Topics.transactionAttempt, partition: 0)
    static let p1 = TopicPartition(topic: Topics.transactionAttempt, partition: 1)
    static let second: UInt64 = 1_000_000_000

    static func record(_ tp: TopicPartition, _ offset: Int64) -> ConsumedRecord {
        ConsumedRecord(
            topic: tp.topic, partition: tp.partition, offset: offset, key: nil, value: Array("x".utf8),
            timestampMillis: 1_700_000_000_000, timestampType: .logAppendTime)
    }

    static func job() -> ReplayJob {
        ReplayJob(ranges: [p0: 2...4, p1: 0...1], dryRun: true, startedNanos: 0) { _, _ in }
    }

    @Test("only records inside the ranges are the replay's")
    func within() {
        let job = Self.job()
        let kept = job.within(
            [
                Self.record(Self.p0, 1), Self.record(Self.p0, 2), Self.record(Self.p0, 5),
                Self.record(Self.p1, 1), Self.record(TopicPartition(topic: "x", partition: 0), 2),
            ],
            at: 1)
        #expect(kept.map(\.offset) == [2, 1])
    }

    @Test("each finished batch moves its partitions on; the job completes when every range is read")
    func progress() {
        var seen: [(Int64, Int64)] = []
        let job = ReplayJob(ranges: [Self.p0: 2...4, Self.p1: 0...1], dryRun: true, startedNanos: 0) {
            seen.append(($0, $1))
        }
        job.finished(BatchPlan([Self.record(Self.p0, 2), Self.record(Self.p0, 3)], rules: .standard), [])
        #expect(job.resumeOffsets == [Self.p0: 4, Self.p1: 0], "a new session resumes where each partition got")
        #expect(!job.isComplete)
        job.finished(
            BatchPlan(
                [Self.record(Self.p0, 4), Self.record(Self.p1, 0), Self.record(Self.p1, 1)],
                rules: .standard), [])
        #expect(job.isComplete && job.resumeOffsets.isEmpty)
        #expect(seen.map(\.0) == [2, 5] && seen.allSatisfy { $0.1 == 5 })
        #expect(job.counts.records == 5 && job.counts.deadLetters == 5)
    }

    @Test("no record for 30 s while records remain: the reader names the offset it waited for")
    func idle() {
        let job = Self.job()
        #expect(job.idleSince(29 * Self.second) == nil)
        _ = job.within([Self.record(Self.p1, 0)], at: 20 * Self.second)
        #expect(job.idleSince(49 * Self.second) == nil, "a record resets the wait")
        let idle = job.idleSince(50 * Self.second)
        #expect(idle?.0 == Self.p1 && idle?.1 == 0)
    }
}
