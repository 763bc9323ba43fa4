/// A record to publish: its topic, key and exact value bytes. The key is the tenant id, except on a dead
/// letter, which keeps the original record's key bytes (or none).
public struct OutputRecord: Sendable, Equatable {
    public let topic: String
    public let keyBytes: [UInt8]?
    public let value: [UInt8]

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

extension JSONValue {
    static func string(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
    static func int<I: BinaryInteger>(_ i: I) -> JSONValue { .number(String(i)) }
    static func instant(_ i: UTCInstant?) -> JSONValue { i.map { .string($0.description) } ?? .null }
    static func micros(_ m: Micros?) -> JSONValue { m.map { .string($0.description) } ?? .null }

    static func errors(_ errors: [FieldError]) -> JSONValue {
        .array(errors.map { .object([("field", .string($0.field)), ("message", .string($0.message))]) })
    }
}
