/// A record to publish: its topic, key (always the tenant id) and exact value bytes.
public struct OutputRecord: Sendable, Equatable {
    public let topic: String
    public let key: String
    public let value: [UInt8]

    public init(topic: String, key: String, value: [UInt8]) {
        self.topic = topic
        self.key = key
        self.value = value
    }

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
