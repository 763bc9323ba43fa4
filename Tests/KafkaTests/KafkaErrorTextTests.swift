import Kafka
import Testing

@Suite("Kafka error text")
struct KafkaErrorTextTests {
    @Test("librdkafka's 'Local:' and 'Broker:' are dropped and the reason reads as a clause")
    func plainMessage() {
        let error = KafkaError(code: -195, message: "metadata: Local: Broker transport failure")
        #expect(error.plainMessage == "metadata: broker transport failure")
        #expect(error.description == "Kafka: metadata: broker transport failure (_TRANSPORT)")
        #expect(error.isPassing)
    }
}
