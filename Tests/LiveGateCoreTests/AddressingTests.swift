import LiveGateCore
import LiveGateTestSupport
import Testing

@Suite("Records that cannot be addressed go to the dead-letter topic")
struct AddressingTests {
    func error(_ value: [UInt8]?, topic: String = Topics.transactionAttempt, key: String? = "t") -> DeadLetterError? {
        let record = InputRecord(topic: topic, key: key.map { Array($0.utf8) }, value: value,
                                 timestamp: RFC3339.parse(Fixtures.noon)!)
        if case let .deadLetter(reason) = InputDecoder.decode(record) { return reason.error }
        return nil
    }

    func error(_ text: String, topic: String = Topics.transactionAttempt, key: String? = "t") -> DeadLetterError? {
        error(Array(text.utf8), topic: topic, key: key)
    }

    @Test("each kind of unaddressable record")
    func kinds() {
        let good = Fixtures.attempt("x", tenant: "t", amount: "1")
        #expect(error(good) == nil)
        #expect(error(good, key: nil) == nil)
        #expect(error(nil as [UInt8]?) == .invalidJSON)
        #expect(error("not json") == .invalidJSON)
        #expect(error(String(good.dropLast(3))) == .invalidJSON)
        #expect(error([0x7B, 0xFF, 0x7D]) == .invalidJSON)
        #expect(error(#"{"event_id":"x","event_id":"y"}"#) == .invalidJSON)
        #expect(error("[1,2]") == .notAnObject)
        #expect(error(good.replacingOccurrences(of: #""event_id":"x""#, with: #""event_id":"""#)) == .invalidEventId)
        #expect(error(good.replacingOccurrences(of: #""event_id":"x""#, with: #""event_id":7"#)) == .invalidEventId)
        #expect(error(good.replacingOccurrences(of: #""event_id":"x""#,
                                                with: "\"event_id\":\"\(String(repeating: "é", count: 129))\"")) == .invalidEventId)
        #expect(error(good.replacingOccurrences(of: #""event_id":"x""#, with: #""event_id":"a\u0001""#)) == .invalidEventId)
        #expect(error(good.replacingOccurrences(of: #""tenant_id":"t","#, with: "")) == .invalidTenantId)
        #expect(error(good.replacingOccurrences(of: "transaction.attempted", with: "transaction.refunded")) == .invalidType)
        #expect(error(good, topic: Topics.decision) == .typeNotOnTopic)
        #expect(error(good, key: "other") == .keyMismatch)
        #expect(error(Array(repeating: UInt8(ascii: " "), count: (1 << 20) + 1)) == .recordTooLarge)
    }

    @Test("an event id of exactly 128 characters is usable")
    func longestId() {
        let id = String(repeating: "é", count: 128)
        #expect(error(Fixtures.attempt(id, tenant: "t", amount: "1")) == nil)
    }

    @Test("dead letters keep the original bytes, base64 when not UTF-8")
    func deadLetterRecord() throws {
        let record = InputRecord(topic: Topics.decision, partition: 3, offset: 77, key: [0xFF, 0x01],
                                 value: [0x7B, 0xFF], timestamp: UTCInstant(millis: 0))
        guard case let .deadLetter(reason) = InputDecoder.decode(record) else { Issue.record("addressed"); return }
        let out = DeadLetter.record(for: record, reason: reason)
        let json = try JSONParser.parse(out.value)
        #expect(json["error"]?.stringValue == "invalid_json")
        #expect(json["value"]?.stringValue == "e/8=")
        #expect(json["value_encoding"]?.stringValue == "base64")
        #expect(json["key"]?.stringValue == "/wE=")
        #expect(json["source"]?["partition"] == .number("3"))
        #expect(json["source"]?["offset"] == .number("77"))
        #expect(out.topic == Topics.deadLetter)
    }

    @Test("base64 matches RFC 4648 test vectors", arguments: [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ])
    func base64(plain: String, encoded: String) {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
    }
}
