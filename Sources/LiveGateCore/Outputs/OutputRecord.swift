/// A record to publish: its topic, key and exact value bytes. The key is the tenant id, except on a dead
/// letter, which keeps the original record's key bytes (or none).
public struct OutputRecord: Sendable, Equatable {
    public let topic: String
    public let keyBytes: [UInt8]?
    public let value: [UInt8]
    /// What a verdict says, for metrics, without parsing it again: set where a verdict is made, absent on
    /// notices and statuses and on outputs read back from the store. Not part of equality.
    public var label: VerdictLabel? = nil
    /// On a transaction verdict, the fingerprint of the input it answers (`Topics.inputSHA256Header`), set
    /// by the ledger each time the verdict is published, the first time and every repeat. Not part of
    /// equality: it travels as a header, not in the value.
    public var inputFingerprint: String? = nil

    public static func == (a: OutputRecord, b: OutputRecord) -> Bool {
        a.topic == b.topic && a.keyBytes == b.keyBytes && a.value == b.value
    }

    public init(topic: String, keyBytes: [UInt8]?, value: [UInt8]) {
        self.topic = topic
        self.keyBytes = keyBytes
        self.value = value
    }

    public init(topic: String, key: String, value: [UInt8]) {
        self.init(topic: topic, keyBytes: Array(key.utf8), value: value)
    }

    /// The key as text (tenant ids are UTF-8).
    public var key: String? { keyBytes.map { String(decoding: $0, as: UTF8.self) } }

    init(topic: String, key: String, json: JSONValue) {
        self.init(topic: topic, key: key, value: JSONWriter.bytes(json))
    }

    public var valueText: String { String(decoding: value, as: UTF8.self) }
}

/// A verdict's kind (`declaration`, `decision`, `attempt`, `resolution`), outcome and reason (`none` when
/// it has none).
public struct VerdictLabel: Sendable, Hashable {
    public let kind: String
    public let outcome: String
    public let reason: String
    /// For a resolution: `settled`, `failed`, or `invalid` when the body did not say.
    public var resolution: String? = nil
    /// For an accepted resolution: what it gave back (zero for `settled`).
    public var released: Micros? = nil

    public init(kind: String, outcome: String, reason: String?) {
        (self.kind, self.outcome, self.reason) = (kind, outcome, reason ?? "none")
    }
}

extension JSONValue {
    /// `.null` for nil: optional fields of LiveGate's records.
    public static func string(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
    public static func int<I: BinaryInteger>(_ i: I) -> JSONValue { .number(String(i)) }
    public static func instant(_ i: UTCInstant?) -> JSONValue { i.map { .string($0.description) } ?? .null }
    static func micros(_ m: Micros?) -> JSONValue { m.map { .string($0.description) } ?? .null }

    static func errors(_ errors: [FieldError]) -> JSONValue {
        .array(errors.map { .object([("field", .string($0.field)), ("message", .string($0.message))]) })
    }
}
