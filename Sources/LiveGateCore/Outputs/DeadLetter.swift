/// `sly.dead-letter.v1`: an input that cannot be addressed, with its original bytes and origin so ops can
/// inspect and re-publish it. Keyed by the original key.
public enum DeadLetter {
    /// The most of an original value a dead letter embeds: 1 MiB, the largest input LiveGate accepts.
    /// Larger values (`record_too_large`, possibly compressed on the wire) are cut there, and
    /// `value_truncated` says so, so a dead letter always fits its topic and can never stall a partition.
    public static let maxEmbeddedValueBytes = 1 << 20

    public static func record(for input: InputRecord, reason: DeadLetterReason) -> OutputRecord {
        let (key, keyEncoding) = encode(input.key)
        let truncated = (input.value?.count ?? 0) > maxEmbeddedValueBytes
        let (value, valueEncoding) = encode(input.value.map { Array($0.prefix(maxEmbeddedValueBytes)) })
        let json: JSONValue = .object([
            ("error", .string(reason.error.rawValue)),
            ("message", .string(reason.message)),
            ("source", .object([
                ("topic", .string(input.topic)), ("partition", .int(input.partition)),
                ("offset", .int(input.offset)), ("timestamp", .instant(input.timestamp)),
            ])),
            ("key", key), ("key_encoding", keyEncoding),
            ("value", value), ("value_encoding", valueEncoding),
            ("value_bytes", input.value.map { .int($0.count) } ?? .null), ("value_truncated", .bool(truncated)),
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
