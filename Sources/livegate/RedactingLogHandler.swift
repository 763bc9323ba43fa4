import Logging
import Redaction

/// Every log line of the tool, message and metadata, passes through `Redaction` before it is written.
struct RedactingLogHandler: LogHandler {
    private var inner: LogHandler

    init(_ inner: LogHandler) { self.inner = inner }

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue.mapValues(Self.redact) }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue.map(Self.redact) }
    }

    func log(
        level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String,
        file: String, function: String, line: UInt
    ) {
        inner.log(
            level: level, message: "\(Redaction.redact(message.description))",
            metadata: metadata?.mapValues(Self.redact), source: source, file: file, function: function, line: line)
    }

    static func redact(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case let .string(text): .string(Redaction.redact(text))
        case let .stringConvertible(item): .string(Redaction.redact(item.description))
        case let .array(items): .array(items.map(redact))
        case let .dictionary(entries): .dictionary(entries.mapValues(redact))
        }
    }
}
