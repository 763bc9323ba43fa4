/// `sly.dead-letter.v1`: an input that cannot be addressed, with its original bytes and origin so ops can
/// inspect and re-publish it. Keyed by the original key.
public enum DeadLetter {
    public static func record(for input: InputRecord, reason: DeadLetterReason) -> OutputRecord {
        let (key, keyEncoding) = encode(input.key)
        let (value, valueEncoding) = encode(input.value)
        let json: JSONValue = .object([
            ("error", .string(reason.error.rawValue)),
            ("message", .string(reason.message)),
            ("source", .object([
                ("topic", .string(input.topic)), ("partition", .int(input.partition)),
                ("offset", .int(input.offset)), ("timestamp", .instant(input.timestamp)),
            ])),
            ("key", key), ("key_encoding", keyEncoding),
            ("value", value), ("value_encoding", valueEncoding),
            ("event_id", .string(reason.eventId)),
            ("tenant_id", .string(reason.tenantId)),
            ("dead_lettered_at", .instant(input.timestamp ?? UTCInstant(millis: 0))),
        ])
        return OutputRecord(topic: Topics.deadLetter, keyBytes: input.key, value: JSONWriter.bytes(json))
    }

    /// UTF-8 text as it is, anything else as base64.
    static func encode(_ bytes: [UInt8]?) -> (JSONValue, JSONValue) {
        guard let bytes else { return (.null, .null) }
        if let text = String(validating: bytes, as: UTF8.self) { return (.string(text), .string("utf8")) }
        return (.string(Base64.encode(bytes)), .string("base64"))
    }
}

/// RFC 4648 base64 with padding.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let n = min(3, bytes.count - i)
            var chunk = UInt32(bytes[i]) << 16
            if n > 1 { chunk |= UInt32(bytes[i + 1]) << 8 }
            if n > 2 { chunk |= UInt32(bytes[i + 2]) }
            for j in 0..<4 {
                out.append(j <= n ? alphabet[Int(chunk >> UInt32(18 - 6 * j) & 0x3F)] : UInt8(ascii: "="))
            }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
