import Kafka
import LiveGateCore

/// Everything a worker needs. Any number of workers may run with the same `group`.
public struct WorkerConfiguration: Sendable {
    /// `host:port,…` of the Kafka brokers.
    public var brokers: String
    /// libpq URL of the PostgreSQL database (migrated with `livegate migrate`).
    public var databaseURL: String
    /// Consumer group of the workers. Default `livegate`.
    public var group: String
    /// Static group membership (`group.instance.id`): a restarted worker keeps its partitions without a
    /// rebalance. Default: none (dynamic membership).
    public var instanceId: String?
    /// librdkafka properties for the consumer and the producer, on top of LiveGate's defaults.
    public var kafka: KafkaSettings
    /// Lanes of this worker: each has its own consumer in the group, producer and PostgreSQL connection, so
    /// one lane's database round trips overlap another's decoding and publishing. Default 3, the count
    /// docs/benchmarks.md measures with (other counts are not measured there). More lanes than a topic's
    /// partitions per worker sit idle.
    public var lanes: Int
    public static let defaultLanes = 3
    public static let laneRange = 1...64
    /// Most records applied in one PostgreSQL transaction. Default 500.
    public var maxBatchRecords: Int
    public static let defaultBatchRecords = 500
    public static let batchRecordRange = 1...100_000
    /// Longest wait for the first record of a batch; later records of a batch are taken only if already
    /// fetched. Default 100 ms.
    public var maxBatchWaitMillis: Int
    /// The contract's rules (ceilings, skew tolerance, size limits). Default: the contract's values.
    public var rules: Rules
    /// Wait between tries while PostgreSQL or the brokers refuse work. Default: 50 ms doubling up to 2 s, so
    /// a worker is back within about 2 s of the database.
    public var backoff: Backoff
    /// Longest a worker keeps retrying one batch before it leaves the group and waits for PostgreSQL.
    /// Default 120 s: well inside librdkafka's default max.poll.interval.ms (300 s), so a rebalance never
    /// waits on a stuck worker.
    public var batchDeadlineSeconds: Double
    /// Put `StageStamps` on every transaction verdict (for the bench; `livegate run --stage-stamps`).
    public var stageStamps = false
    /// librdkafka's default `max.poll.interval.ms`.
    public static let defaultMaxPollIntervalMillis = 300_000

    /// The batch deadline in force: `batchDeadlineSeconds`, or 40 % of the consumer's effective
    /// `max.poll.interval.ms` when that is less (120 s is 40 % of the default 300 s). The deadline is checked
    /// between attempts, so the room left is for a last attempt, itself bounded by the session's statement
    /// and lock timeouts, to end before the group gives up on this member.
    public var effectiveBatchDeadlineSeconds: Double {
        let maxPollMillis = kafka["max.poll.interval.ms"].flatMap(Int.init) ?? Self.defaultMaxPollIntervalMillis
        return min(batchDeadlineSeconds, Double(maxPollMillis) / 1000 * 0.4)
    }

    public init(
        brokers: String, databaseURL: String, group: String = "livegate", instanceId: String? = nil,
        kafka: KafkaSettings = KafkaSettings(), lanes: Int = defaultLanes, maxBatchRecords: Int = defaultBatchRecords,
        maxBatchWaitMillis: Int = 100,
        rules: Rules = .standard, backoff: Backoff = Backoff(baseMillis: 50, maxMillis: 2000),
        batchDeadlineSeconds: Double = 120
    ) {
        self.brokers = brokers
        self.databaseURL = databaseURL
        self.group = group
        self.instanceId = instanceId
        self.kafka = kafka
        self.lanes = lanes
        self.maxBatchRecords = maxBatchRecords
        self.maxBatchWaitMillis = maxBatchWaitMillis
        self.rules = rules
        self.backoff = backoff
        self.batchDeadlineSeconds = batchDeadlineSeconds
    }

    /// Room for a dead letter of 1 MiB (`DeadLetter.maxRecordBytes`; librdkafka's default is 1,000,000 bytes).
    /// (`KafkaProducer.defaults` time requests out after 10 s: measured, recovery from all brokers down fell
    /// from 60 s to about 4 s.)
    public static let producerDefaults = KafkaSettings([("message.max.bytes", String(DeadLetter.maxRecordBytes))])

    /// The idempotent producer every part of a worker publishes with: lanes and the status guard.
    func makeProducer() throws -> KafkaProducer {
        try KafkaProducer(brokers: brokers, settings: Self.producerDefaults.merging(kafka))
    }
}
