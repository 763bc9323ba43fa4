import Testing

@testable import Kafka

@Suite("Offset resets, as librdkafka 2.0.2 reports them")
struct OffsetResetTests {
    @Test("the out-of-range line gives topic, partition and the offset asked for; other lines give nothing")
    func parse() {
        let line =
            "sly.transaction-attempt.v1 [3]: offset reset (at offset 1200, broker 1) to BEGINNING: "
            + "fetch failed due to requested offset not available on the broker: Broker: Offset out of range"
        #expect(
            OffsetReset.parse(facility: "OFFSET", message: line)
                == OffsetReset(
                    partition: TopicPartition(topic: "sly.transaction-attempt.v1", partition: 3), requestedOffset: 1200)
        )
        #expect(OffsetReset.parse(facility: "FETCH", message: line) == nil)
        let seen =
            "[thrd:main]: sly.decision.v1 [0]: offset reset (at offset 3, broker 1) to cached BEGINNING offset "
            + "202: fetch failed due to requested offset not available on the broker: Broker: Offset out of range"
        #expect(
            OffsetReset.parse(facility: "OFFSET", message: seen)
                == OffsetReset(partition: TopicPartition(topic: "sly.decision.v1", partition: 0), requestedOffset: 3))
        #expect(
            OffsetReset.parse(
                facility: "OFFSET",
                message: "t [0]: offset reset (at offset BEGINNING, broker 1) to "
                    + "BEGINNING: no previous offset: Local: No offset stored") == nil)
        #expect(OffsetReset.parse(facility: "OFFSET", message: "garbage: Offset out of range") == nil)
    }
}
