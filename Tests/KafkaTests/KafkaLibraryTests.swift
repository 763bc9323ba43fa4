import Kafka
import Testing

@Suite("librdkafka")
struct KafkaLibraryTests {
    @Test("the linked librdkafka is Debian bookworm's 2.x")
    func version() {
        #expect(KafkaLibrary.version.hasPrefix("2."))
    }
}
