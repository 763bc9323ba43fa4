import LiveGateCore
import LiveGateTestSupport
import PropertyBased
import Testing

@Suite("Dead letters always fit")
struct DeadLetterSizeTests {
    /// The dead letter for `value` (and `key`) on the attempt topic, with the checks every one must pass: it
    /// fits, it parses, `value` is a prefix of the original in its encoding, and the size fields and the digest
    /// describe the whole original.
    @discardableResult
    static func check(
        value: [UInt8]?, key: [UInt8]? = Array("t-1".utf8), sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> JSONValue {
        let record = InputRecord(
            topic: Topics.transactionAttempt, partition: 3, offset: 42, key: key, value: value,
            timestamp: UTCInstant(millis: 1_764_417_600_000), timestampSource: .broker)
        let reason: DeadLetterReason
        switch InputDecoder.decode(record) {
        case let .deadLetter(r): reason = r
        case .event: reason = DeadLetterReason(.applyFailed, "refused", eventId: "e", tenantId: "t", sqlState: "23514")
        }
        let out = DeadLetter.record(for: record, reason: reason)
        #expect(
            out.value.count + (out.keyBytes?.count ?? 0) <= DeadLetter.maxRecordBytes - 1024,
            sourceLocation: sourceLocation)
        let json = try JSONParser.parse(out.value)
        guard let value else {
            #expect(json["value"] == .null && json["value_sha256"] == .null, sourceLocation: sourceLocation)
            return json
        }
        let text = try #require(json["value"]?.stringValue, sourceLocation: sourceLocation)
        let embedded = json["value_encoding"] == .string("utf8") ? Array(text.utf8) : try #require(base64Decode(text))
        #expect(value.starts(with: embedded), sourceLocation: sourceLocation)
        #expect(json["value_truncated"] == .bool(embedded.count < value.count), sourceLocation: sourceLocation)
        #expect(json["value_bytes"] == .number(String(value.count)), sourceLocation: sourceLocation)
        #expect(json["value_sha256"] == .string(SHA256Hex.of(value)), sourceLocation: sourceLocation)
        if let key {
            #expect(
                key.starts(with: out.keyBytes ?? []) && (out.keyBytes?.count ?? 0) <= DeadLetter.maxKeyBytes,
                sourceLocation: sourceLocation)
            #expect(json["key_bytes"] == .number(String(key.count)), sourceLocation: sourceLocation)
        }
        return json
    }

    @Test("floods of the bytes JSON escapes most, over and under 1 MiB, fit and keep as much as fits")
    func floods() throws {
        for (byte, count) in [
            (UInt8(0), 800_000), (0x01, 900_000), (0x1F, 1 << 20), (0x7F, (1 << 20) + 1),
            (0x22, 1 << 20), (0x5C, 600_000), (0x0A, 3 << 20), (0xFF, 3 << 20), (0x41, 3 << 20),
        ] {
            let json = try Self.check(value: [UInt8](repeating: byte, count: count))
            #expect(json["value_truncated"] == .bool(true), "byte \(byte)")
        }
        // Short values are kept whole.
        #expect(try Self.check(value: [UInt8](repeating: 0, count: 1000))["value_truncated"] == .bool(false))
    }

    @Test("a cut never splits a character, and invalid UTF-8 stays base64 when cut")
    func cuts() throws {
        let emoji = Array("😀".utf8)  // 4 bytes
        var mixed: [UInt8] = []
        while mixed.count < 1_200_000 { mixed += [0x00] + emoji + Array("é\"".utf8) }
        let json = try Self.check(value: mixed)
        #expect(json["value_encoding"] == .string("utf8"))
        var invalid = [UInt8](repeating: 0x41, count: 2 << 20)
        invalid[5] = 0xC3  // a lone lead byte
        #expect(try Self.check(value: invalid)["value_encoding"] == .string("base64"))
    }

    @Test("a huge key is cut too, and both together still fit")
    func hugeKey() throws {
        let json = try Self.check(
            value: [UInt8](repeating: 0, count: 1 << 20), key: [UInt8](repeating: 0, count: 1 << 20))
        #expect(json["key_truncated"] == .bool(true))
        let keyless = try Self.check(value: Array("x".utf8), key: nil)
        #expect(keyless["key"] == .null && keyless["key_truncated"] == .bool(false))
    }

    @Test("apply_failed carries its SQLSTATE; other errors have none")
    func sqlState() throws {
        let valid = Array(Fixtures.attempt("a", tenant: "t-1", amount: "1").utf8)
        #expect(try Self.check(value: valid)["sqlstate"] == .string("23514"))
        #expect(try Self.check(value: Array("x".utf8))["sqlstate"] == .null)
    }

    @Test("SHA-256 is the standard one (FIPS 180-2 vectors)")
    func digest() {
        #expect(SHA256Hex.of(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256Hex.of([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("any bytes of any length up to 1.2 MiB make a dead letter that fits (property)")
    func anyBytes() async {
        let alphabet: [UInt8] = [
            0x00, 0x01, 0x09, 0x0A, 0x22, 0x5C, 0x7F, 0x41, 0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80, 0xFF,
        ]
        await propertyCheck(count: 30, input: Gen.int(in: 0...1_250_000), Gen.int(in: 0...Int.max)) { length, seed in
            var state = UInt64(truncatingIfNeeded: seed) | 1
            let value = (0..<length).map { _ -> UInt8 in
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                return alphabet[Int(state % UInt64(alphabet.count))]
            }
            try Self.check(value: value)
        }
    }

    static func base64Decode(_ text: String) -> [UInt8]? {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var lookup = [UInt8: UInt32]()
        for (i, c) in alphabet.enumerated() { lookup[c] = UInt32(i) }
        var out: [UInt8] = []
        var chunk: UInt32 = 0, bits = 0
        for c in text.utf8 where c != UInt8(ascii: "=") {
            guard let v = lookup[c] else { return nil }
            chunk = chunk << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: chunk >> UInt32(bits)))
            }
        }
        return out
    }
}
