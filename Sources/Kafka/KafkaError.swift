import CRdKafka
import Redaction

/// A librdkafka failure: the C error code, its symbolic name, and whether trying again can help.
public struct KafkaError: Error, Sendable, CustomStringConvertible {
    /// The `rd_kafka_resp_err_t` value (negative for client-side errors, positive for broker errors).
    public let code: Int32
    public let name: String
    public let message: String
    /// True for errors that end the client instance (for example a fenced idempotent producer).
    public let isFatal: Bool

    public init(code: Int32, message: String, isFatal: Bool = false) {
        self.code = code
        self.name = String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(code)))
        self.message = Redaction.redact(message)
        self.isFatal = isFatal
    }

    init(_ err: rd_kafka_resp_err_t, _ context: String) {
        self.init(code: err.rawValue, message: "\(context): \(String(cString: rd_kafka_err2str(err)))")
    }

    /// A configuration or usage error detected before anything reached a broker.
    public static func invalid(_ message: String) -> KafkaError {
        KafkaError(code: RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue, message: message)
    }

    /// An error the client recovers from by itself: a connection lost, every broker away for a while, a
    /// request timed out, a name not resolved yet, the end of a partition reached. Anything else reported
    /// while reading (a topic or partition gone, reading refused by an ACL, an offset out of range) is not.
    public var isPassing: Bool {
        [
            RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__TIMED_OUT,
            RD_KAFKA_RESP_ERR__PARTITION_EOF, RD_KAFKA_RESP_ERR__RESOLVE, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
        ]
        .contains { $0.rawValue == code }
    }

    /// `message` as a person reads it: librdkafka's "Local: " and "Broker: " (who noticed) dropped and its
    /// reason lowercased, "metadata: broker transport failure".
    public var plainMessage: String {
        var parts = message.split(separator: ": ", omittingEmptySubsequences: false).map(String.init)
            .filter { $0 != "Local" && $0 != "Broker" }
        if let last = parts.last, let first = last.first, first.isUppercase,
            last.dropFirst().first?.isLowercase == true
        {
            parts[parts.count - 1] = first.lowercased() + last.dropFirst()
        }
        return parts.joined(separator: ": ")
    }

    public var description: String { "Kafka: \(plainMessage) (\(name)\(isFatal ? ", fatal" : ""))" }
}

/// The NUL-terminated text librdkafka wrote into an `errstr` buffer.
func text(of buffer: [CChar]) -> String {
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}
