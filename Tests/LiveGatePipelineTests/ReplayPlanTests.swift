import Kafka
import Testing

@testable import LiveGateOps

/// The replay's ranges, from the brokers' answers; no broker (the embedded one cannot look offsets up by time).
@Suite("A replay's plan")
struct ReplayPlanTests {
    static let p0 = TopicPartition(topic: "t", partition: 0)
    static let p1 = TopicPartition(topic: "t", partition: 1)

    static func partition(
        _ tp: TopicPartition, _ low: Int64, _ high: Int64, from: Int64? = nil,
        afterTo: Int64? = nil
    ) -> ReplayPlan.Partition {
        .init(partition: tp, low: low, high: high, firstAtOrAfterFrom: from, firstAfterTo: afterTo)
    }

    @Test("without bounds, every record kept in every partition; an empty partition is left out")
    func wholePartitions() {
        let plan = ReplayPlan([Self.partition(Self.p0, 3, 10), Self.partition(Self.p1, 5, 5)], bounds: .init())
        #expect(plan.ranges == [Self.p0: 3...9])
    }

    @Test("offsets are clamped to what the partition keeps")
    func offsetsClamped() {
        let plan = ReplayPlan([Self.partition(Self.p0, 3, 10)], bounds: .init(fromOffset: 0, toOffset: 50))
        #expect(plan.ranges == [Self.p0: 3...9])
        let inside = ReplayPlan([Self.partition(Self.p0, 3, 10)], bounds: .init(fromOffset: 4, toOffset: 6))
        #expect(inside.ranges == [Self.p0: 4...6])
    }

    @Test("a start time starts each partition at its own first record at or after it")
    func fromTimePerPartition() {
        let plan = ReplayPlan(
            [Self.partition(Self.p0, 0, 10, from: 4), Self.partition(Self.p1, 0, 8, from: 7)],
            bounds: .init(fromMillis: 1000))
        #expect(plan.ranges == [Self.p0: 4...9, Self.p1: 7...7])
    }

    @Test("a partition with no record at or after the start time is left out")
    func fromTimeNothingLater() {
        let plan = ReplayPlan(
            [Self.partition(Self.p0, 0, 10, from: -1), Self.partition(Self.p1, 0, 8, from: nil)],
            bounds: .init(fromMillis: 1000))
        #expect(plan.ranges.isEmpty)
    }

    @Test("an end time stops before the first record after it; none after it, the partition's end")
    func toTime() {
        let plan = ReplayPlan(
            [Self.partition(Self.p0, 0, 10, afterTo: 6), Self.partition(Self.p1, 0, 8, afterTo: -1)],
            bounds: .init(toMillis: 2000))
        #expect(plan.ranges == [Self.p0: 0...5, Self.p1: 0...7])
    }

    @Test("a window whose end comes before its start in a partition leaves that partition out")
    func emptyWindow() {
        let plan = ReplayPlan(
            [Self.partition(Self.p0, 0, 10, from: 6, afterTo: 6)],
            bounds: .init(fromMillis: 1000, toMillis: 1000))
        #expect(plan.ranges.isEmpty)
    }
}
