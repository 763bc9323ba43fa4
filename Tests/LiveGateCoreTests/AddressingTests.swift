import LiveGateCore
import LiveGateTestSupport
import Testing

@Suite("Records that cannot be addressed go to the dead-letter topic")
struct AddressingTests {
    func error(_ value: [UInt8]?, topic: String = Topics.transactionAttempt, key: String? = "t") -> DeadLetterError? {
        let record = InputRecord(
            topic: topic, key: key.map { Array($0.utf8) }, value: value,
            timestamp: RFC3339.parse(Fixtures.noon)!, timestampSource: .broker)
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
        #expect(
            error(
                good.replacingOccurrences(
                    of: #""event_id":"x""#,
                    with: "\"event_id\":\"\(String(repeating: "é", count: 129))\"")) == .invalidEventId)
        #expect(
            error(good.replacingOccurrences(of: #""event_id":"x""#, with: #""event_id":"a\u0001""#)) == .invalidEventId)
        #expect(error(good.replacingOccurrences(of: #""tenant_id":"t","#, with: "")) == .invalidTenantId)
        #expect(
            error(good.replacingOccurrences(of: "transaction.attempted", with: "transaction.refunded")) == .invalidType)
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
        let record = InputRecord(
            topic: Topics.decision, partition: 3, offset: 77, key: [0xFF, 0x01],
            value: [0x7B, 0xFF], timestamp: UTCInstant(millis: 0), timestampSource: .broker)
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

    @Test(
        "base64 matches RFC 4648 test vectors",
        arguments: [
            ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ])
    func base64(plain: String, encoded: String) {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
    }
}

@Suite("Hostile values that must neither crash nor stall")
struct HostileValueTests {
    @Test("a record timestamp at the edge of Int64 is a skew denial, not an overflow")
    func extremeTimestamps() {
        let json = Fixtures.attempt("x", tenant: "t", amount: "1", at: "1969-12-31T23:59:59Z")
        for millis in [Int64.max, Int64.min] {
            let record = InputRecord(
                topic: Topics.transactionAttempt, key: nil, value: Array(json.utf8),
                timestamp: UTCInstant(millis: millis), timestampSource: .broker)
            guard case let .event(event) = InputDecoder.decode(record), case let .attempt(a) = event.body else {
                Issue.record("not addressed"); continue
            }
            #expect(a.rejection?.reason == "occurred_at_skew")
        }
        let untimed = InputRecord(
            topic: Topics.transactionAttempt, key: nil, value: Array(json.utf8), timestamp: nil,
            timestampSource: .broker)
        guard case let .event(event) = InputDecoder.decode(untimed), case let .attempt(a) = event.body else {
            Issue.record("an untimed attempt was not decoded as an attempt")
            return
        }
        #expect(a.rejection?.reason == "occurred_at_skew")
    }

    @Test(
        "timestamps whose UTC year falls outside 0001–9999 are invalid",
        arguments: [
            "0000-06-15T00:00:00Z", "0001-01-01T00:00:00+00:01", "9999-12-31T23:59:00-00:01",
        ])
    func outOfRangeYears(text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test("oversized identity and actor ids are not carried into stored state")
    func oversizedIdentity() {
        let longEmail = String(repeating: "a", count: 300) + "@example.com"
        let event = Fixtures.event(Fixtures.declaration("d", tenant: "t", email: longEmail))
        guard case let .declaration(.valid(d)) = event.body else { Issue.record("not valid"); return }
        #expect(d.ownerEmail == nil && d.ownerUserId == "u-t")
        let anonymous = Fixtures.decision("a", tenant: "t", action: "approve")
            .replacingOccurrences(of: #""id":"admin-1""#, with: #""id":"\#(String(repeating: "x", count: 129))""#)
        guard case let .decision(.rejected(r)) = Fixtures.event(anonymous).body else {
            Issue.record("accepted"); return
        }
        #expect(r.status == 400 && r.errors.map(\.field) == ["actor.id"])
    }

    @Test("numbers with exponents beyond any real value never make two different events equal")
    func hugeExponents() throws {
        let a = try JSONParser.parse(Array("1e9223372036854775808".utf8)).canonicalText
        let b = try JSONParser.parse(Array("1e9223372036854775809".utf8)).canonicalText
        #expect(a != b)
        #expect(try JSONParser.parse(Array("1e9223372036854775808".utf8)).canonicalText == a)
    }

    @Test("a keyless dead letter stays keyless")
    func keyless() {
        let record = InputRecord(
            topic: Topics.decision, key: nil, value: Array("x".utf8), timestamp: nil, timestampSource: .broker)
        guard case let .deadLetter(reason) = InputDecoder.decode(record) else {
            Issue.record("\"x\" was addressed")
            return
        }
        let out = DeadLetter.record(for: record, reason: reason)
        #expect(out.keyBytes == nil)
        #expect((try? JSONParser.parse(out.value))?["source"]?["timestamp"] == .null)
    }
}
