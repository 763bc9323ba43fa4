/// The topic settings of `topics/*.json`, compiled in so that `livegate topics apply` and the embedded
/// broker work from any directory. A test checks that both say the same.
public struct TopicDefinition: Sendable, Equatable {
    public let name: String
    public let partitions: Int
    public let replicationFactor: Int
    /// Kafka topic configuration, as in the file's `config`.
    public let config: [String: String]
}

public enum TopicCatalog {
    static let week = "604800000"
    static let common = ["min.insync.replicas": "2", "max.message.bytes": "1048576"]

    static func deleting(_ name: String, retentionMs: String = week, extra: [String: String] = [:]) -> TopicDefinition {
        TopicDefinition(
            name: name, partitions: 12, replicationFactor: 3,
            config:
                common
                .merging(["cleanup.policy": "delete", "retention.ms": retentionMs]) { $1 }.merging(extra) { $1 })
    }

    /// Inputs take the broker's clock as their record timestamp (contract, "Input record timestamps come from
    /// the broker"): the skew guard and `decided_at` then cannot be steered by a producer's clock.
    static let brokerTime = ["message.timestamp.type": "LogAppendTime"]

    public static let all: [TopicDefinition] = [
        deleting(Topics.declarationSubmitted, extra: brokerTime),
        deleting(Topics.decision, extra: brokerTime),
        deleting(Topics.transactionAttempt, extra: brokerTime),
        deleting(Topics.accessVerdict),
        deleting(Topics.transactionVerdict),
        deleting(Topics.notification),
        TopicDefinition(
            name: Topics.tenantStatus, partitions: 12, replicationFactor: 3,
            config:
                common
                .merging(["cleanup.policy": "compact", "min.compaction.lag.ms": "60000"]) { $1 }),
        // Dead letters carry the original value (base64 when not UTF-8), so they may be larger than inputs.
        deleting(Topics.deadLetter, retentionMs: "2592000000", extra: ["max.message.bytes": "1048576"]),
    ]
}
