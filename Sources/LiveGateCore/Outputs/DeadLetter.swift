/// `sly.dead-letter.v1`: an input that cannot be addressed, with its original bytes and origin so ops can
/// inspect and re-publish it. Keyed by the original key.
///
/// A dead letter always fits: key and value together never exceed `maxRecordBytes` (1 MiB), whatever the
/// input. JSON escaping can make text six times longer (`\u0000` for a NUL byte), so the original value is
/// cut to what fits (`value_truncated: true`); `value_bytes` and `value_sha256` describe the whole original,
/// which stays readable at its source topic, partition and offset for the input topic's retention.
/// A dead letter never carries an owner's email or name (contract v1.2): see `PersonalData`.
public enum DeadLetter {
    /// The most a dead letter takes, its key and value together: 1 MiB, as the contract says.
    public static let maxRecordBytes = 1 << 20
    /// Kept free within `maxRecordBytes` for the framing that Kafka adds to a record and its batch (lengths,
    /// timestamp and offset deltas, attributes, the batch header): well under 100 bytes in practice.
    static let framingBytes = 1024
    /// The most of an original key a dead letter keeps, as its own key and in `key`. A usable key (a tenant id,
    /// at most 128 characters) is at most 512 bytes; longer ones are cut (`key_truncated: true`).
    public static let maxKeyBytes = 4096

    public static func record(for input: InputRecord, reason: DeadLetterReason) -> OutputRecord {
        let key = input.key.map { Embedded(cutting: $0, toBytes: maxKeyBytes) }
        let (kept, redacted) = PersonalData.redacting(input)
        func json(value: Embedded?) -> [UInt8] {
            JSONWriter.bytes(
                .object([
                    ("error", .string(reason.error.rawValue)),
                    ("message", .string(reason.message)),
                    (
                        "source",
                        .object([
                            ("topic", .string(input.topic)), ("partition", .int(input.partition)),
                            ("offset", .int(input.offset)), ("timestamp", .instant(input.timestamp)),
                        ])
                    ),
                    ("key", key.map { .string($0.text) } ?? .null),
                    ("key_encoding", key.map { .string($0.encoding) } ?? .null),
                    ("key_bytes", input.key.map { .int($0.count) } ?? .null),
                    ("key_truncated", .bool(key?.truncated ?? false)),
                    ("value", value.map { .string($0.text) } ?? .null),
                    ("value_encoding", value.map { .string($0.encoding) } ?? .null),
                    ("value_bytes", input.value.map { .int($0.count) } ?? .null),
                    // `false` is the longer spelling, so measuring with it leaves room for `true`.
                    ("value_truncated", .bool(value?.truncated ?? false)),
                    ("value_redacted", .bool(redacted)),
                    ("value_sha256", input.value.map { .string(SHA256Hex.of($0)) } ?? .null),
                    ("sqlstate", .string(reason.sqlState)),
                    ("event_id", .string(reason.eventId)),
                    ("tenant_id", .string(reason.tenantId)),
                    ("dead_lettered_at", .instant(input.timestamp ?? UTCInstant(millis: 0))),
                ]))
        }
        let keyBytes = key?.prefix
        let fixed = json(value: kept.map { _ in Embedded(text: "", encoding: "base64", prefix: [], truncated: false) })
        let budget = maxRecordBytes - framingBytes - fixed.count - (keyBytes?.count ?? 0)
        let value = kept.map { Embedded(fitting: $0, escapedBytes: budget) }
        return OutputRecord(topic: Topics.deadLetter, keyBytes: keyBytes, value: json(value: value))
    }
}

/// A prefix of an original key or value, as text for the dead letter: the bytes themselves when the whole
/// original is UTF-8, else base64 (decided on the whole, so a cut never changes the encoding).
struct Embedded {
    let text: String
    let encoding: String
    /// The original bytes that `text` stands for.
    let prefix: [UInt8]
    let truncated: Bool

    init(text: String, encoding: String, prefix: [UInt8], truncated: Bool) {
        self.text = text
        self.encoding = encoding
        self.prefix = prefix
        self.truncated = truncated
    }

    /// At most `limit` original bytes, cut at a character boundary when the original is UTF-8.
    init(cutting bytes: [UInt8], toBytes limit: Int) {
        let isText = String(validating: bytes, as: UTF8.self) != nil
        var end = min(bytes.count, limit)
        if isText { end = Self.characterBoundary(bytes, atOrBefore: end) }
        self.init(bytes, end: end, isText: isText)
    }

    /// The longest prefix whose text, once JSON-escaped, takes at most `budget` bytes.
    init(fitting bytes: [UInt8], escapedBytes budget: Int) {
        guard String(validating: bytes, as: UTF8.self) != nil else {
            self.init(bytes, end: min(bytes.count, max(0, budget) / 4 * 3), isText: false)  // base64: 4 per 3
            return
        }
        var cost = 0
        var end = 0
        while end < bytes.count {
            cost += Self.escapedLength(bytes[end])
            if cost > budget { break }
            end += 1
        }
        self.init(bytes, end: Self.characterBoundary(bytes, atOrBefore: end), isText: true)
    }

    private init(_ bytes: [UInt8], end: Int, isText: Bool) {
        let prefix = Array(bytes[..<end])
        self.init(
            text: isText ? String(decoding: prefix, as: UTF8.self) : Base64.encode(prefix),
            encoding: isText ? "utf8" : "base64", prefix: prefix, truncated: end < bytes.count)
    }

    /// What `JSONWriter` turns one byte of a string into: six bytes for a control character (`\u0000`), two
    /// for `"`, `\`, newline, return and tab, else the byte itself.
    static func escapedLength(_ byte: UInt8) -> Int {
        switch byte {
        case 0x22, 0x5C, 0x0A, 0x0D, 0x09: return 2
        case 0..<0x20, 0x7F: return 6
        default: return 1
        }
    }

    /// The largest index ≤ `end` that does not fall inside a UTF-8 sequence.
    static func characterBoundary(_ bytes: [UInt8], atOrBefore end: Int) -> Int {
        var end = end
        while end > 0 && end < bytes.count && bytes[end] & 0xC0 == 0x80 { end -= 1 }
        return end
    }
}
