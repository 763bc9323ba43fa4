import Foundation
import Histogram
import Kafka
import LiveGateCore
import LiveGateStore
import Postgres

/// One measured run of the real pipeline: a fresh embedded broker and schema, the setup applied, a
/// `livegate run` worker in its own process, the attempts published closed-loop (as fast as the broker
/// takes them) or open-loop (at a fixed rate), and every verdict clocked on arrival.
struct PipelinePhase {
    struct Result {
        let attempts: Int
        let seconds: Double
        let latencyMs: Histogram<UInt64>
        let workerRSSMaxMB: Double
        let cost: AttemptCost
        /// The run in tenths, in order: verdicts a second within each and the worker's memory at its end.
        let tenths: [Tenth]

        var throughputPerSecond: Double { Double(attempts) / seconds }
    }

    let config: BenchConfig
    let name: String

    func run(attempts count: Int, batchMax: Int, ratePerSecond: Int? = nil) throws -> Result {
        let broker = try EmbeddedBroker(brokers: 1)
        for topic in TopicCatalog.all { try broker.createTopic(topic.name, partitions: topic.partitions, replicationFactor: 1) }
        let url = try BenchSchema.create(server: config.databaseURL, name: name)
        defer { BenchSchema.drop(server: config.databaseURL, url: url) }
        let now = UTCInstant(millis: Int64(Date().timeIntervalSince1970 * 1000))
        let work = BenchWorkload(attempts: count, tenants: config.tenants, prefix: "\(name)-", now: now)
        try applySetup(work, url: url)
        let worker = try WorkerChild(executable: config.executable, brokers: broker.bootstrapServers, databaseURL: url,
                                     batchMax: batchMax, lanes: config.lanes)
        defer { worker.stop() }
        try awaitLanes(url: url)
        let clock = try VerdictClock(brokers: broker.bootstrapServers, expected: count - work.repeats + work.warmups.count)
        let producer = try KafkaProducer(brokers: broker.bootstrapServers, settings: KafkaSettings([("linger.ms", "5")]))
        // The clock starts once the worker answers every tenant: its group join is not what is measured.
        try warmUp(work, producer: producer, clock: clock)
        let meter = try PostgresConnection(url: url)
        let before = try ResourceSample.take(meter, worker: worker.pid)
        let started = Date()
        let answers = count - work.repeats
        let timeline = answers >= Timeline.minimumAnswers
            ? Timeline(total: answers, clock: clock, worker: worker, started: started) : nil
        try publish(work, producer: producer, ratePerSecond: ratePerSecond, started: started, clock: clock)
        guard clock.waitWhileAnswering(stallSeconds: Self.stallSeconds) else {
            throw BenchError.incomplete(phase: name, answered: clock.answered, expected: count - work.repeats)
        }
        let seconds = clock.lastArrival.timeIntervalSince(started)
        let cost = try before.cost(to: try ResourceSample.take(meter, worker: worker.pid), attempts: count, db: meter)
        return Result(attempts: count, seconds: seconds, latencyMs: clock.histogram, workerRSSMaxMB: worker.peakRSSMegabytes(),
                      cost: cost, tenths: timeline?.finish(lastArrival: clock.lastArrival) ?? [])
    }

    /// The warm-up attempts (`BenchWorkload.maxWarmups` at most), all answered; fails only when none is
    /// answered for `stallSeconds`.
    private func warmUp(_ work: BenchWorkload, producer: KafkaProducer, clock: VerdictClock) throws {
        try producer.send(work.warmups.map {
            ProducerRecord(topic: Topics.transactionAttempt, key: Array($0.tenant.utf8), value: $0.value)
        })
        while clock.warmupsDone < work.warmups.count {
            let done = clock.warmupsDone
            guard clock.awaitWarmups(beyond: done, seconds: Self.stallSeconds) else {
                throw BenchError.incomplete(phase: "\(name) warm-up", answered: done, expected: work.warmups.count)
            }
        }
    }

    /// Waits until every lane of the worker has subscribed (each records a heartbeat when it starts a group
    /// session). A lane that joined after the group's first assignment would trigger a second rebalance in
    /// the middle of the measured run: seconds without verdicts, which once made a short run look slower than
    /// batches of one.
    private func awaitLanes(url: String) throws {
        let db = try PostgresConnection(url: url)
        for _ in 0..<600 {
            let rows = try db.query("SELECT count(*) FROM worker_heartbeats WHERE group_id = $1", [WorkerChild.group])
            if Int(rows.rows.first?.first.flatMap { $0 } ?? "") ?? 0 >= config.lanes { return }
            usleep(100_000)
        }
        throw BenchError.incomplete(phase: "\(name): the worker's lanes joining", answered: 0, expected: config.lanes)
    }

    /// Declarations, approvals and ceilings straight through the store: setup is not what is measured.
    private func applySetup(_ work: BenchWorkload, url: String) throws {
        let store = try LedgerStore(url: url, rules: .standard)
        let now = UTCInstant(millis: Int64(Date().timeIntervalSince1970 * 1000))
        var events: [InputEvent] = []
        for value in work.setup {
            let topic = (try? JSONParser.parse(value))?["type"]?.stringValue.flatMap(EventType.init(rawValue:))?.topic ?? ""
            if case let .event(event) = InputDecoder.decode(InputRecord(topic: topic, key: nil, value: value, timestamp: now)) {
                events.append(event)
            }
        }
        // Declarations first, then decisions: each tenant's two events are in this order.
        for start in stride(from: 0, to: events.count, by: 500) {
            _ = try store.apply(Array(events[start..<min(start + 500, events.count)]))
        }
    }

    /// Most attempts published but not yet answered. The embedded broker keeps only about 5 MB per partition
    /// and drops the oldest records beyond that, read or not, so a closed loop must not run further ahead of
    /// the worker. 100,000 (about 3.5 MB a partition on average) lost records on the busiest partitions once
    /// the worker ran at 40,000/s; 50,000 is still more than a second of its work.
    static let maxInFlight = 50_000
    /// A phase fails when no new verdict arrived for this long, instead of waiting for records that are gone.
    static let stallSeconds = 60.0

    private func publish(_ work: BenchWorkload, producer: KafkaProducer, ratePerSecond: Int?, started: Date,
                         clock: VerdictClock) throws {
        let chunk = ratePerSecond.map { max(1, $0 / 200) } ?? 5000
        var sent = 0
        while sent < work.attempts.count {
            let slice = work.attempts[sent..<min(sent + chunk, work.attempts.count)]
            try producer.enqueue(slice.map {
                ProducerRecord(topic: Topics.transactionAttempt, key: Array($0.tenant.utf8), value: $0.value)
            })
            sent += slice.count
            var waitedSince = Date()
            // Verdict records, not distinct answers: a repeat (2% of attempts) is answered again under the id
            // already counted, and 2.5 million attempts in, the distinct count would stay 50,000 behind for good.
            var answered = clock.records
            while sent - clock.records > Self.maxInFlight {
                if clock.records != answered { (answered, waitedSince) = (clock.records, Date()) }
                guard Date().timeIntervalSince(waitedSince) < Self.stallSeconds else {
                    throw BenchError.incomplete(phase: "closed loop", answered: clock.answered, expected: work.attempts.count)
                }
                usleep(10_000)
            }
            if let rate = ratePerSecond {  // open loop: hold the offered rate whatever the answers do
                let due = started.addingTimeInterval(Double(sent) / Double(rate))
                let wait = due.timeIntervalSinceNow
                if wait > 0 { usleep(UInt32(wait * 1_000_000)) }
            }
        }
        try producer.flush()
    }
}

enum BenchError: Error, CustomStringConvertible {
    case incomplete(phase: String, answered: Int, expected: Int)

    var description: String {
        switch self {
        case let .incomplete(phase, answered, expected): return "\(phase): only \(answered) of \(expected) attempts answered"
        }
    }
}

/// A fresh schema per phase, so no phase sees another's rows.
enum BenchSchema {
    static func create(server: String, name: String) throws -> String {
        let schema = "bench_\(name.replacingOccurrences(of: "-", with: "_"))_\(Int(Date().timeIntervalSince1970))"
        let admin = try PostgresConnection(url: server)
        try admin.query("DROP SCHEMA IF EXISTS " + SQL.identifier(schema) + " CASCADE")
        try admin.query("CREATE SCHEMA " + SQL.identifier(schema))
        let separator = server.contains("?") ? "&" : "?"
        let url = server + separator + "options=-csearch_path%3D\(schema)"
        try Migrations.apply(on: try PostgresConnection(url: url))
        return url
    }

    static func drop(server: String, url: String) {
        guard let schema = url.components(separatedBy: "search_path%3D").last else { return }
        _ = try? PostgresConnection(url: server).query("DROP SCHEMA IF EXISTS " + SQL.identifier(schema) + " CASCADE")
    }
}
