import Kafka
import LiveGateCore

/// One polled batch on its way through the pipeline: which records are events for the store, which go
/// straight to the dead-letter topic, what to publish once the store answered, and what to commit after.
/// Pure: it only arranges data, so it is tested without a broker or a database.
struct BatchPlan {
    let records: [ConsumedRecord]
    /// The records that could be addressed, in order, for `LedgerStore.apply`.
    let events: [InputEvent]
    /// For each record: the index of its event in `events`, or the reason it is dead-lettered.
    private let routes: [Route]

    enum Route {
        case event(Int)
        case deadLetter(DeadLetterReason)
    }

    init(_ records: [ConsumedRecord], rules: Rules) {
        self.records = records
        var events: [InputEvent] = []
        var routes: [Route] = []
        events.reserveCapacity(records.count)
        for record in records {
            switch InputDecoder.decode(Self.input(record), rules: rules) {
            case let .event(event):
                routes.append(.event(events.count))
                events.append(event)
            case let .deadLetter(reason):
                routes.append(.deadLetter(reason))
            }
        }
        self.events = events
        self.routes = routes
    }

    static func input(_ record: ConsumedRecord) -> InputRecord {
        InputRecord(
            topic: record.topic, partition: record.partition, offset: record.offset, key: record.key,
            value: record.value,
            timestamp: record.timestampMillis >= 0 ? UTCInstant(millis: record.timestampMillis) : nil,
            timestampSource: record.timestampType == .logAppendTime ? .broker : .producer)
    }

    /// Everything to publish for this batch, in record order. `outcomes` align with `events`.
    func outputs(_ outcomes: [EventOutcome]) -> [ProducerRecord] {
        precondition(outcomes.count == events.count, "the store answers every event")
        var out: [ProducerRecord] = []
        out.reserveCapacity(records.count * 2)
        for (record, route) in zip(records, routes) {
            switch route {
            case let .deadLetter(reason):
                out.append(Self.producerRecord(DeadLetter.record(for: Self.input(record), reason: reason)))
            case let .event(index):
                if let reason = outcomes[index].deadLetter {
                    out.append(Self.producerRecord(DeadLetter.record(for: Self.input(record), reason: reason)))
                } else {
                    out += outcomes[index].outputs.map(Self.producerRecord)
                }
            }
        }
        return out
    }

    /// The offset to resume from, per partition: one past the last record of the batch.
    var nextOffsets: [TopicPartition: Int64] { Self.nextOffsets(of: records) }

    static func nextOffsets(of records: [ConsumedRecord]) -> [TopicPartition: Int64] {
        var next: [TopicPartition: Int64] = [:]
        for record in records {
            let tp = TopicPartition(topic: record.topic, partition: record.partition)
            next[tp] = max(next[tp] ?? 0, record.offset + 1)
        }
        return next
    }

    /// The record that `events[index]` was decoded from.
    func record(ofEvent index: Int) -> ConsumedRecord {
        let position = routes.firstIndex { if case .event(index) = $0 { return true } else { return false } }!
        return records[position]
    }

    var deadLetterCount: Int {
        routes.reduce(0) { if case .deadLetter = $1 { return $0 + 1 } else { return $0 } }
    }

    /// Why each record that could not be decoded into an event goes to the dead-letter topic.
    var deadLetterReasons: [DeadLetterReason] {
        routes.compactMap { if case let .deadLetter(reason) = $0 { reason } else { nil } }
    }

    static func producerRecord(_ output: OutputRecord) -> ProducerRecord {
        ProducerRecord(
            topic: output.topic, key: output.keyBytes, value: output.value,
            headers: output.inputFingerprint.map {
                [KafkaHeader(name: Topics.inputSHA256Header, value: Array($0.utf8))]
            } ?? [])
    }
}
