import Foundation
import Kafka
import LiveGateCore

/// Reads output topics from their beginning in a group of its own and keeps every record: for tests, the
/// demo of `livegate dev`, and anyone checking what LiveGate published.
public final class OutputWatcher {
    private let consumer: KafkaConsumer
    public private(set) var records: [ConsumedRecord] = []

    public init(brokers: String, topics: [String] = Topics.outputs, settings: KafkaSettings = KafkaSettings()) throws {
        consumer = try KafkaConsumer(brokers: brokers, group: "watcher-\(UUID().uuidString)", topics: topics,
                                     settings: settings)
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
    public static func answered(_ records: [ConsumedRecord]) -> [String] {
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
