import LiveGateCore
import Testing

@testable import Kafka
@testable import LiveGatePipeline

/// `BatchPlan` arranges data only, so it is tested without a broker or a database.
@Suite("A batch's plan")
struct BatchPlanTests {
    static func record(_ partition: Int32, _ offset: Int64, _ value: String) -> ConsumedRecord {
        ConsumedRecord(
            topic: Topics.transactionAttempt, partition: partition, offset: offset, key: nil,
            value: Array(value.utf8), timestampMillis: 1_700_000_000_000, timestampType: .logAppendTime)
    }

    @Test("the offsets to commit are one past the last record of each partition")
    func nextOffsets() {
        let records = [Self.record(0, 7, "x"), Self.record(1, 3, "x"), Self.record(0, 9, "x")]
        let t = Topics.transactionAttempt
        #expect(
            BatchPlan.nextOffsets(of: records) == [
                TopicPartition(topic: t, partition: 0): 10, TopicPartition(topic: t, partition: 1): 4,
            ])
    }

    @Test("records that cannot be decoded go to the dead-letter topic, in record order, with no event for the store")
    func deadLetters() {
        let plan = BatchPlan([Self.record(0, 1, "not json"), Self.record(0, 2, "{}")], rules: .standard)
        #expect(plan.events.isEmpty)
        #expect(plan.deadLetterCount == 2)
        let outputs = plan.outputs([])
        #expect(outputs.map(\.topic) == [Topics.deadLetter, Topics.deadLetter])
    }
}
