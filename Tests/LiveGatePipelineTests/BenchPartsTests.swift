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
}
