import Kafka
import LiveGateCore

/// One record of `sly.dead-letter.v1` as `livegate dead-letters list` shows it: where the refused input was,
/// why, whose it was when that could be read, how big it was, and when it was dead-lettered. Never its value
/// (it may hold what the contract keeps out of logs); read the dead letter itself for that.
public struct DeadLetterEntry: Sendable, Equatable {
    /// Where the dead letter itself is.
    public let partition: Int32
    public let offset: Int64
    /// When the dead letter was published (its record timestamp).
    public let time: UTCInstant
    /// The error code (`invalid_json`, `apply_failed`…), or `unreadable` for a record that is no dead letter.
    public let error: String
    public let sourceTopic: String?
    public let sourcePartition: Int64?
    public let sourceOffset: Int64?
    public let eventId: String?
    public let tenantId: String?
    public let keyBytes: Int64?
    public let valueBytes: Int64?
    public let sqlState: String?

    /// What stands in for `error` when a record on the topic is not a dead letter LiveGate wrote.
    public static let unreadable = "unreadable"

    public init(_ record: ConsumedRecord) {
        let json = record.value.flatMap { try? JSONParser.parse($0) }
        func int(_ value: JSONValue?) -> Int64? {
            if case let .number(text)? = value { return Int64(text) }
            return nil
        }
        partition = record.partition
        offset = record.offset
        time = UTCInstant(millis: max(0, record.timestampMillis))
        error = json?["error"]?.stringValue ?? Self.unreadable
        sourceTopic = json?["source"]?["topic"]?.stringValue
        sourcePartition = int(json?["source"]?["partition"])
        sourceOffset = int(json?["source"]?["offset"])
        eventId = json?["event_id"]?.stringValue
        tenantId = json?["tenant_id"]?.stringValue
        keyBytes = int(json?["key_bytes"])
        valueBytes = int(json?["value_bytes"])
        sqlState = json?["sqlstate"]?.stringValue
    }

    /// One JSON object, for `--json` (one a line).
    public var json: JSONValue {
        .object([
            ("time", .instant(time)), ("error", .string(error)),
            (
                "source",
                .object([
                    ("topic", .string(sourceTopic)),
                    ("partition", sourcePartition.map(JSONValue.int) ?? .null),
                    ("offset", sourceOffset.map(JSONValue.int) ?? .null),
                ])
            ),
            ("event_id", .string(eventId)), ("tenant_id", .string(tenantId)), ("sqlstate", .string(sqlState)),
            ("key_bytes", keyBytes.map(JSONValue.int) ?? .null),
            ("value_bytes", valueBytes.map(JSONValue.int) ?? .null),
            ("dead_letter", .object([("partition", .int(partition)), ("offset", .int(offset))])),
        ])
    }

    /// One line for people: time, error, where the input was, whose, how big.
    public var line: String {
        let place = "\(sourcePartition.map(String.init) ?? "?")@\(sourceOffset.map(String.init) ?? "?")"
        let source = "\(sourceTopic ?? "?")/\(place)"
        var line = "\(time)  \(error)  \(source)  event \(eventId ?? "-")  tenant \(tenantId ?? "-")"
        line += "  key \(keyBytes.map { "\($0) B" } ?? "-")  value \(valueBytes.map { "\($0) B" } ?? "-")"
        if let sqlState { line += "  sqlstate \(sqlState)" }
        return line
    }
}

/// Which dead letters to list: each filter is optional, all given must hold.
public struct DeadLetterFilter: Sendable {
    public var since: UTCInstant?
    public var error: String?
    public var sourceTopic: String?

    public init(since: UTCInstant? = nil, error: String? = nil, sourceTopic: String? = nil) {
        self.since = since
        self.error = error
        self.sourceTopic = sourceTopic
    }

    public func matches(_ entry: DeadLetterEntry) -> Bool {
        if let since, entry.time < since { return false }
        if let error, entry.error != error { return false }
        if let sourceTopic, entry.sourceTopic != sourceTopic { return false }
        return true
    }
}
