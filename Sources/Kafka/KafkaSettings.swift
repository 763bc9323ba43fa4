import CRdKafka
import Redaction

/// librdkafka configuration properties (`key=value`), applied in order on top of LiveGate's defaults.
public struct KafkaSettings: Sendable {
    public var properties: [(key: String, value: String)]

    /// Properties whose values are secrets: registered with `Redaction` as soon as they are set.
    public static let secretKeys: Set<String> = [
        "sasl.password", "ssl.key.password", "ssl.keystore.password", "ssl.key.pem", "sasl.oauthbearer.config",
        "sasl.oauthbearer.client.secret",
    ]

    public init(_ properties: [(key: String, value: String)] = []) {
        self.properties = properties
        Redaction.register(properties.filter { Self.secretKeys.contains($0.key) }.map(\.value))
    }

    public subscript(key: String) -> String? {
        get { properties.last(where: { $0.key == key })?.value }
        set {
            properties.removeAll { $0.key == key }
            if let newValue {
                if Self.secretKeys.contains(key) { Redaction.register([newValue]) }
                properties.append((key, newValue))
            }
        }
    }

    /// Parses `key=value` strings such as the `--kafka-config` options of the tool.
    public static func parse(_ pairs: [String]) throws(KafkaError) -> KafkaSettings {
        var settings = KafkaSettings()
        for (n, pair) in pairs.enumerated() {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                // Not quoted: a malformed entry may be a secret.
                throw .invalid("Kafka property \(n + 1) of \(pairs.count) is not key=value")
            }
            settings[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
        }
        return settings
    }

    /// Splits `a=1,b=x,y` into `a=1` and `b=x,y`: a comma (or newline) starts a new entry only when `key=`
    /// follows it, since values such as `debug=cgrp,fetch` contain commas themselves.
    public static func entries(_ text: String) -> [String] {
        var entries: [String] = []
        for piece in text.split(whereSeparator: { $0 == "," || $0 == "\n" }) {
            let part = String(piece.drop { $0 == " " })
            if part.isEmpty { continue }
            if let last = entries.last, !part.contains("=") {
                entries[entries.count - 1] = last + "," + part
            } else {
                entries.append(part)
            }
        }
        return entries
    }

    /// Properties only a consumer understands. One `--kafka-config` list serves both clients of a worker;
    /// the producer gets it without these, so librdkafka has no reason to warn.
    static let consumerOnly: Set<String> = [
        "group.id", "group.instance.id", "session.timeout.ms", "heartbeat.interval.ms", "max.poll.interval.ms",
        "auto.offset.reset", "enable.auto.commit", "auto.commit.interval.ms", "enable.auto.offset.store",
        "partition.assignment.strategy", "queued.min.messages", "queued.max.messages.kbytes", "fetch.wait.max.ms",
        "fetch.message.max.bytes", "fetch.max.bytes", "fetch.min.bytes", "isolation.level", "check.crcs",
        "enable.partition.eof", "allow.auto.create.topics", "group.protocol.type", "coordinator.query.interval.ms",
    ]

    /// These settings without consumer-only properties.
    public var forProducer: KafkaSettings {
        KafkaSettings(properties.filter { !Self.consumerOnly.contains($0.key) })
    }

    /// `self` with `overrides` applied on top.
    public func merging(_ overrides: KafkaSettings) -> KafkaSettings {
        var merged = self
        for (key, value) in overrides.properties { merged[key] = value }
        return merged
    }

    /// A new `rd_kafka_conf_t` holding these properties. The caller owns it until `rd_kafka_new` takes it.
    func makeConf() throws(KafkaError) -> OpaquePointer {
        let conf = rd_kafka_conf_new()!
        var errstr = [CChar](repeating: 0, count: 512)
        for (key, value) in properties {
            if rd_kafka_conf_set(conf, key, value, &errstr, errstr.count) != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                // The value may be a secret (sasl.password): name the key only.
                throw .invalid("Kafka property \(key): \(text(of: errstr))")
            }
        }
        return conf
    }
}

/// Creates a client handle; on failure librdkafka has not taken `conf`, so it is destroyed here.
func makeClient(_ type: rd_kafka_type_t, _ conf: OpaquePointer) throws(KafkaError) -> OpaquePointer {
    var errstr = [CChar](repeating: 0, count: 512)
    guard let handle = rd_kafka_new(type, conf, &errstr, errstr.count) else {
        rd_kafka_conf_destroy(conf)
        throw .invalid("could not create a Kafka client: \(text(of: errstr))")
    }
    return handle
}
