import Foundation
import Kafka
import LiveGateCore
import LiveGatePipeline
import Postgres

/// A real Kafka-protocol broker (librdkafka's mock cluster, on loopback TCP) with every contract topic, a
/// private PostgreSQL schema, and helpers to publish inputs and collect outputs.
public final class PipelineHarness: @unchecked Sendable {  // used from one test at a time
    public let broker: EmbeddedBroker
    public let database: TestDatabase
    private let producer: KafkaProducer

    /// Quick group changes: the mock cluster waits session.timeout.ms − 1 s after a member leaves.
    public static let quickGroup = KafkaSettings([("session.timeout.ms", "4000"), ("heartbeat.interval.ms", "500")])

    /// `partitions` per topic (the catalog's 12 unless a test wants fewer).
    public init(brokers: Int = 1, partitions: Int? = nil, databaseServer: String? = nil) throws {
        broker = try EmbeddedBroker(brokers: brokers)
        for topic in TopicCatalog.all {
            try broker.createTopic(
                topic.name, partitions: partitions ?? topic.partitions,
                replicationFactor: min(brokers, topic.replicationFactor))
        }
        database = try TestDatabase.create(server: databaseServer)
        producer = try KafkaProducer(brokers: broker.bootstrapServers)
    }

    /// Publishes raw records to an input topic (as an upstream money path would).
    public func publish(_ topic: String, key: String?, values: [[UInt8]]) throws {
        try producer.send(values.map { ProducerRecord(topic: topic, key: key.map { Array($0.utf8) }, value: $0) })
    }

    /// Publishes JSON events, each keyed by its tenant id and sent to the topic of its type.
    public func publish(_ jsons: [String]) throws {
        try producer.send(
            jsons.map { json in
                let record = Fixtures.record(json)
                return ProducerRecord(topic: record.topic, key: record.key, value: record.value ?? [])
            })
    }

    /// A reader of `topics` from their beginning, in a group of its own.
    public func reader(_ topics: [String] = Topics.outputs) throws -> OutputWatcher {
        try OutputWatcher(brokers: broker.bootstrapServers, topics: topics, settings: Self.quickGroup)
    }

}
