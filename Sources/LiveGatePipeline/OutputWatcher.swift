import Foundation
import Kafka
import LiveGateCore

/// Reads output topics from their beginning and keeps every record, indexed by the input event each verdict
/// or dead letter answers: for tests, the demo of `livegate dev`, and anyone checking what LiveGate published.
/// It reads every partition by assignment, outside any group: a group member whose session expires (say, in
/// a broker outage) rejoins and starts from the beginning again, which would show every verdict twice.
public final class OutputWatcher {
    private let consumer: KafkaConsumer
    public private(set) var records: [ConsumedRecord] = []
    /// Verdict and dead-letter values by the `event_id` they answer (its bytes), in arrival order.
    public private(set) var answers: [ByteID: [[UInt8]]] = [:]

    /// Where reading starts: every record, or only those published after `init` returned.
    public enum Start: Sendable { case beginning, end }

    /// `topics` must exist.
    public init(
        brokers: String, topics: [String] = Topics.outputs, settings: KafkaSettings = KafkaSettings(),
        from start: Start = .beginning
    ) throws {
        let partitions = try Self.positions(brokers: brokers, topics: topics, settings: settings, from: start)
        consumer = try KafkaConsumer(brokers: brokers, reading: partitions, settings: settings)
    }

    /// Every partition of `topics` (which must exist), each at its first record or at its end as of now.
    /// The end is asked now: an offset of "end" would be looked up only at the first fetch, after an answer
    /// to something published meanwhile could already be there. `serve`'s verdict feed starts here too.
    public static func positions(
        brokers: String, topics: [String], settings: KafkaSettings,
        from start: Start
    ) throws -> [TopicPartition: Int64] {
        let existing = try TopicAdmin(brokers: brokers, settings: settings).describe()
        var partitions: [TopicPartition: Int64] = [:]
        for topic in topics {
            guard let count = existing[topic]?.partitions else { throw KafkaError.invalid("no topic \(topic) to read") }
            for p in 0..<Int32(count) {
                partitions[TopicPartition(topic: topic, partition: p)] = KafkaConsumer.beginning
            }
        }
        if start == .end {
            let probe = try KafkaConsumer(brokers: brokers, reading: [:], settings: settings)
            for tp in partitions.keys { partitions[tp] = try probe.watermarks(tp).high }
        }
        return partitions
    }

    deinit { consumer.close(timeoutMillis: 2000) }

    static let answerTopics: Set<String> = [Topics.accessVerdict, Topics.transactionVerdict, Topics.deadLetter]

    /// Reads until `done(records)` holds or `timeoutSeconds` pass; returns whether it held.
    @discardableResult
    public func read(timeoutSeconds: Double = 60, until done: ([ConsumedRecord]) -> Bool) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while !done(records) {
            guard Date() < deadline else { return false }
            let batch = try consumer.poll(maxRecords: 5000, maxWaitMillis: 200)
            for record in batch where Self.answerTopics.contains(record.topic) {
                guard let value = record.value, let id = (try? JSONParser.parse(value))?["event_id"]?.stringValue
                else { continue }
                answers[ByteID(id), default: []].append(value)
            }
            records += batch
        }
        return true
    }

    /// Reads until every one of `eventIds` has a verdict (or a dead letter naming it).
    @discardableResult
    public func awaitAnswers(_ eventIds: [String], timeoutSeconds: Double = 60) throws -> Bool {
        var pending = Set(eventIds.map(ByteID.init))
        return try read(timeoutSeconds: timeoutSeconds) { _ in
            pending = pending.filter { answers[$0] == nil }
            return pending.isEmpty
        }
    }

    public func on(_ topic: String) -> [JSONValue] {
        records.filter { $0.topic == topic }.compactMap { $0.value.flatMap { try? JSONParser.parse($0) } }
    }

    /// The verdicts published for `eventId` (more than one only if republished; then byte-identical).
    public func verdicts(_ eventId: String) -> [JSONValue] {
        (answers[ByteID(eventId)] ?? []).compactMap { try? JSONParser.parse($0) }.filter { $0["error"] == nil }
    }

    public func verdict(_ eventId: String) -> JSONValue? { verdicts(eventId).first }
}
