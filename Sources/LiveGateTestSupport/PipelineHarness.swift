import Foundation
import Kafka
import LiveGateCore
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
    public init(brokers: Int = 1, partitions: Int? = nil) throws {
        broker = try EmbeddedBroker(brokers: brokers)
        for topic in TopicCatalog.all {
            try broker.createTopic(topic.name, partitions: partitions ?? topic.partitions,
                                   replicationFactor: min(brokers, topic.replicationFactor))
        }
        database = try TestDatabase.create()
        producer = try KafkaProducer(brokers: broker.bootstrapServers)
    }

    /// Publishes raw records to an input topic (as an upstream money path would).
    public func publish(_ topic: String, key: String?, values: [[UInt8]]) throws {
        try producer.send(values.map { ProducerRecord(topic: topic, key: key.map { Array($0.utf8) }, value: $0) })
    }

    /// Publishes JSON events, each keyed by its tenant id and sent to the topic of its type.
    public func publish(_ jsons: [String]) throws {
        try producer.send(jsons.map { json in
            let record = Fixtures.record(json)
            return ProducerRecord(topic: record.topic, key: record.key, value: record.value ?? [])
        })
    }

    /// A reader of `topics` from their beginning, in a group of its own.
    public func reader(_ topics: [String] = Topics.outputs) throws -> OutputReader {
        try OutputReader(brokers: broker.bootstrapServers, topics: topics)
    }

}

/// Accumulates everything published on some topics, for assertions.
public final class OutputReader {
    private let consumer: KafkaConsumer
    public private(set) var records: [ConsumedRecord] = []

    init(brokers: String, topics: [String]) throws {
        consumer = try KafkaConsumer(brokers: brokers, group: "reader-\(UUID().uuidString)", topics: topics,
                                     settings: PipelineHarness.quickGroup)
    }

    deinit { consumer.close(timeoutMillis: 2000) }

    /// Reads until `done(records)` holds or `timeoutSeconds` pass; returns whether it held.
    @discardableResult
    public func read(timeoutSeconds: Double = 60, until done: ([ConsumedRecord]) -> Bool) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while !done(records) {
            guard Date() < deadline else { return false }
            records += try consumer.poll(maxRecords: 1000, maxWaitMillis: 200)
        }
        return true
    }

    /// Reads until every one of `eventIds` has a verdict (or a dead letter naming it).
    @discardableResult
    public func awaitAnswers(_ eventIds: [String], timeoutSeconds: Double = 60) throws -> Bool {
        try read(timeoutSeconds: timeoutSeconds) { records in
            let answered = Set(Self.answered(records))
            return eventIds.allSatisfy(answered.contains)
        }
    }

    /// Event ids that have a verdict or a dead letter.
    static func answered(_ records: [ConsumedRecord]) -> [String] {
        records.filter { [Topics.accessVerdict, Topics.transactionVerdict, Topics.deadLetter].contains($0.topic) }
            .compactMap { $0.value.flatMap { try? JSONParser.parse($0) }?["event_id"]?.stringValue }
    }

    public func on(_ topic: String) -> [JSONValue] {
        records.filter { $0.topic == topic }.compactMap { $0.value.flatMap { try? JSONParser.parse($0) } }
    }

    /// The verdicts published for `eventId` (more than one only if republished; then byte-identical).
    public func verdicts(_ eventId: String) -> [JSONValue] {
        (on(Topics.accessVerdict) + on(Topics.transactionVerdict)).filter { $0["event_id"]?.stringValue == eventId }
    }

    public func verdict(_ eventId: String) -> JSONValue? { verdicts(eventId).first }
}
