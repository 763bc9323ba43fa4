import Foundation
import Kafka
import LiveGateCore
import LiveGateLocal
import LiveGateStore
import Postgres

/// What every measured phase runs on, set up and warmed before its clock starts: a fresh embedded broker
/// and schema, the tenants' setup applied, a `livegate run` worker in its own process with every lane
/// joined, a `VerdictClock` reading the verdicts and one warm-up attempt answered per tenant (up to
/// `BenchWorkload.maxWarmups`). `close()` stops the worker and drops the schema.
final class PhaseRig {
    let broker: EmbeddedBroker
    let url: String
    let work: BenchWorkload
    let worker: ChildProcess
    let clock: VerdictClock
    let producer: KafkaProducer
    private let server: String

    /// A phase fails when no new verdict arrived for this long, instead of waiting for records that are gone.
    static let stallSeconds = 60.0

    init(config: BenchConfig, name: String, attempts count: Int, batchMax: Int) throws {
        broker = try EmbeddedBroker(brokers: 1)
        for topic in TopicCatalog.all {
            try broker.createTopic(topic.name, partitions: topic.partitions, replicationFactor: 1)
        }
        server = config.databaseURL
        url = try BenchSchema.create(server: config.databaseURL, name: name)
        var started: ChildProcess?
        do {
            let now = WallClock.now()
            work = BenchWorkload(attempts: count, tenants: config.tenants, prefix: "\(name)-", now: now)
            try Self.applySetup(work, url: url)
            worker = try BenchProcesses.worker(
                executable: config.executable, brokers: broker.bootstrapServers,
                databaseURL: url, batchMax: batchMax, lanes: config.lanes)
            started = worker
            try Self.awaitLanes(url: url, lanes: config.lanes, phase: name)
            clock = try VerdictClock(
                brokers: broker.bootstrapServers, expected: count - work.repeats + work.warmups.count)
            producer = try KafkaProducer(
                brokers: broker.bootstrapServers, settings: KafkaSettings([("linger.ms", "5")]))
            // The clock starts once the worker answers every tenant: its group join is not what is measured.
            try Self.warmUp(work, producer: producer, clock: clock, phase: name)
        } catch {
            started?.stop()
            BenchSchema.drop(server: server, url: url)
            throw error
        }
    }

    func close() {
        worker.stop()
        BenchSchema.drop(server: server, url: url)
    }

    /// Declarations, approvals and ceilings straight through the store: setup is not what is measured.
    private static func applySetup(_ work: BenchWorkload, url: String) throws {
        let store = try LedgerStore(url: url, rules: .standard)
        let now = WallClock.now()
        var events: [InputEvent] = []
        for value in work.setup {
            let topic =
                (try? JSONParser.parse(value))?["type"]?.stringValue.flatMap(EventType.init(rawValue:))?.topic ?? ""
            if case let .event(event) = InputDecoder.decode(
                InputRecord(
                    topic: topic, key: nil, value: value, timestamp: now,
                    timestampSource: .broker))
            {
                events.append(event)
            }
        }
        // Declarations first, then decisions: each tenant's two events are in this order.
        for start in stride(from: 0, to: events.count, by: 500) {
            _ = try store.apply(Array(events[start..<min(start + 500, events.count)]))
        }
    }

    /// Waits until every lane of the worker has subscribed (each records a heartbeat when it starts a group
    /// session). A lane that joined after the group's first assignment would trigger a second rebalance in
    /// the middle of the measured run: seconds without verdicts, which once made a short run look slower than
    /// batches of one.
    private static func awaitLanes(url: String, lanes: Int, phase: String) throws {
        let db = try PostgresConnection(url: url)
        for _ in 0..<600 {
            let rows = try db.query(
                "SELECT count(*) FROM worker_heartbeats WHERE group_id = $1", [BenchProcesses.group])
            if Int(rows.rows.first?.first.flatMap { $0 } ?? "") ?? 0 >= lanes { return }
            usleep(100_000)
        }
        throw BenchError.incomplete(phase: "\(phase): the worker's lanes joining", answered: 0, expected: lanes)
    }

    /// The warm-up attempts, all answered; fails only when none is answered for `stallSeconds`.
    private static func warmUp(_ work: BenchWorkload, producer: KafkaProducer, clock: VerdictClock, phase: String)
        throws
    {
        let time = Array(WallClock.now().description.utf8)
        try producer.send(
            work.warmups.map {
                var value = $0.value
                BenchWorkload.restamp(&value, time)
                return ProducerRecord(topic: Topics.transactionAttempt, key: Array($0.tenant.utf8), value: value)
            })
        while clock.warmupsDone < work.warmups.count {
            let done = clock.warmupsDone
            guard clock.awaitWarmups(beyond: done, seconds: stallSeconds) else {
                throw BenchError.incomplete(phase: "\(phase) warm-up", answered: done, expected: work.warmups.count)
            }
        }
    }
}

enum BenchError: Error, CustomStringConvertible {
    /// `droppedUnread`: verdict records the embedded broker dropped before the bench read them.
    case incomplete(phase: String, answered: Int, expected: Int, droppedUnread: Int = 0)
    case failed(phase: String, reason: String)

    var description: String {
        switch self {
        case let .incomplete(phase, answered, expected, dropped) where dropped > 0:
            return "\(phase): only \(answered) of \(expected) attempts answered as far as the bench can tell: the "
                + "embedded broker dropped \(dropped) verdict records before the bench read them (gaps in the "
                + "offsets it saw; its retention is about 5 MB a partition), so the bench, not the pipeline, lost them"
        case let .incomplete(phase, answered, expected, _):
            return "\(phase): only \(answered) of \(expected) attempts answered"
        case let .failed(phase, reason): return "\(phase): \(reason)"
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
