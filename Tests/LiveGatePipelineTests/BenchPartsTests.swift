import LiveGateCore
import Testing

@testable import LiveGateBench

@Suite("The bench's own parts")
struct BenchPartsTests {
    @Test(
        "offset gaps: contiguous offsets skip nothing; a jump counts the offsets never seen; a record seen again none")
    func gaps() {
        var gaps = OffsetGaps()
        #expect([0, 1, 2].map { gaps.note(partition: 0, offset: $0) } == [0, 0, 0])
        #expect(gaps.note(partition: 1, offset: 5) == 5, "a partition read from its start begins at 0")
        #expect(gaps.note(partition: 0, offset: 10) == 7)
        #expect(gaps.note(partition: 0, offset: 4) == 0, "redelivered after a rebalance")
        #expect(gaps.note(partition: 0, offset: 11) == 0)
    }

    @Test("attempts are stamped when published, and a repeat keeps its original's bytes")
    func stamping() throws {
        let written = UTCInstant(millis: 1_800_000_000_000)
        let work = BenchWorkload(attempts: 2000, tenants: 10, prefix: "p-", now: written)
        let (index, original) = try #require(work.repeatOf.min { $0.key < $1.key })
        var values = work.attempts.map(\.value)
        let first = UTCInstant(millis: written.millis + 600_000)
        work.stamp(&values, 0..<original + 1, at: first)
        work.stamp(&values, original + 1..<values.count, at: UTCInstant(millis: first.millis + 1000))
        #expect(try JSONParser.parse(values[original])["occurred_at"] == .string(first.description))
        #expect(values[index] == values[original], "a repeat is byte for byte its original")
        #expect(try JSONParser.parse(work.attempts[original].value)["occurred_at"] == .string(written.description))
        let stamped = values.indices.filter { work.repeatOf[$0] == nil }.allSatisfy {
            (try? JSONParser.parse(values[$0])["occurred_at"]) != .string(written.description)
        }
        #expect(stamped, "every attempt is stamped")
    }

    @Test("stage stamps travel as one header and split a verdict's latency into stages that add up")
    func stages() throws {
        let stamps = StageStamps(
            polled: 1_000_004_000, read: 1_000_006_000, written: 1_000_008_500, committed: 1_000_009_500,
            handed: 1_000_009_600)
        #expect(StageStamps(stamps.bytes) == stamps)
        #expect(StageStamps(Array("1 2 3 4".utf8)) == nil && StageStamps(Array("1 2 3 4 x".utf8)) == nil)
        var latency = StageLatency()
        latency.record(publishedMillis: 1_000_000, stamps, readMicros: 1_000_012_600)
        let ms = latency.percentilesMs.map(\.p50)
        #expect(ms == [4, 2, 2.5, 1, 0.1, 3], "\(ms)")
        #expect(abs(ms.reduce(0, +) - 12.6) < 1e-9, "the stages add up to publish → read")
        // A clock that stepped back between two stages counts as no time, never as a huge unsigned one.
        latency.record(publishedMillis: 1_000_010, stamps, readMicros: 1_000_012_600)
        #expect(latency.count == 2 && latency.percentilesMs[0].p50 <= 4)
    }
}
