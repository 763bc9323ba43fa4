import Foundation
import Kafka
import LiveGateCore
import LiveGateStore
import Logging

/// One lane of a worker: its own consumer in the group, producer and PostgreSQL connection. Poll a batch,
/// decode, apply in one transaction, publish every output, wait for the acknowledgements, then commit. Offsets are committed only after the outputs are durable, and the outputs only after the
/// store committed, so a crash anywhere repeats work (answered from the store, byte for byte) but never
/// loses or double-counts it.
final class WorkerLoop: @unchecked Sendable {  // used by its one worker thread only
    let configuration: WorkerConfiguration
    let logger: Logger
    let stop: StopSignal
    var stats = WorkerStats()
    let faults = FaultInjection.fromEnvironment
    /// How this lane names itself in `worker_heartbeats`.
    private let member: String
    /// The lane's static group membership id, if the worker has one.
    private let instanceId: String?
    private let startedAt = UTCInstant(millis: Int64(Date().timeIntervalSince1970 * 1000))
    private var lastHeartbeat = Date.distantPast
    /// Seconds between heartbeats.
    static let heartbeatSeconds = 5.0
    /// This lane's number, and where it reports its health (`/healthz`, `/readyz`).
    let lane: Int
    let health: WorkerHealth
    private var lastLag = Date.distantPast
    private var reportedPartitions: Set<TopicPartition> = []
    /// Offsets past answered records whose commit the group refused (it was rebalancing). Committed as soon
    /// as this lane holds those partitions again, which then resume there rather than at the older committed
    /// offset; dropped for partitions the group gives to another member (its reads are answered from the store).
    private var uncommitted: [TopicPartition: Int64] = [:]

    /// `lane` numbers the lanes of one worker from 0; with more than one, each lane's member name and
    /// static membership id get the suffix `-<lane>`, so they stay distinct in the group.
    init(configuration: WorkerConfiguration, lane: Int = 0, logger: Logger, stop: StopSignal,
         health: WorkerHealth? = nil) {
        self.configuration = configuration
        self.stop = stop
        self.lane = lane
        self.health = health ?? WorkerHealth(lanes: lane + 1, stuckAfterSeconds: .infinity)
        let suffix = configuration.lanes > 1 ? "-\(lane)" : ""
        var logger = logger
        if configuration.lanes > 1 { logger[metadataKey: "lane"] = "\(lane)" }
        self.logger = logger
        // A static id given as a librdkafka property is suffixed too: lanes sharing one id would fence each other.
        let staticId = configuration.instanceId ?? configuration.kafka["group.instance.id"]
        member = (staticId ?? "\(ProcessInfo.processInfo.hostName)-\(getpid())") + suffix
        instanceId = staticId.map { $0 + suffix }
    }

    /// Runs group sessions until asked to stop. A session that cannot finish a batch in time leaves the
    /// group (its partitions move to healthy workers) and a new one starts once PostgreSQL answers again.
    func run() throws {
        defer { logger.info("worker stopped", metadata: stats.metadata) }
        if faults.isArmed {
            logger.warning("fault injection armed (LIVEGATE_FAULT): for tests only", metadata: ["fault": "\(faults)"])
        }
        while !stop.isRequested {
            guard let store = connectStore() else { return }
            try session(store)
            // A clean stop says so at once: ops tools need not wait out the heartbeat window.
            if stop.isRequested { try? store.leave(group: configuration.group, member: member) }
        }
    }

    private func session(_ store: LedgerStore) throws {
        let consumer = try KafkaConsumer(
            brokers: configuration.brokers, group: configuration.group, topics: Topics.inputs,
            instanceId: instanceId, settings: configuration.kafka, logger: KafkaLogBridge(logger: logger))
        uncommitted = [:]
        defer {
            // A clean stop leaves nothing answered behind the committed offsets (`livegate lag` reads them).
            commitUncommitted(consumer)
            consumer.close()
            health.inGroup(lane, false)
        }
        var producer = try configuration.makeProducer()
        logger.info("worker joined the group", metadata: [
            "group": "\(configuration.group)", "batch_deadline_s": "\(configuration.effectiveBatchDeadlineSeconds)",
        ])
        while !stop.isRequested {
            beat(store)
            health.turned(lane)
            health.inGroup(lane, consumer.isGroupMember)
            reportLag(consumer)
            let records = try stats.timePoll {
                try consumer.poll(maxRecords: configuration.maxBatchRecords, maxWaitMillis: configuration.maxBatchWaitMillis)
            }
            reportOffsetResets(consumer)
            commitUncommitted(consumer)
            guard !records.isEmpty else { continue }
            let plan = stats.time(.decode) { BatchPlan(records, rules: configuration.rules) }
            switch try process(plan, store: store, producer: &producer, consumer: consumer) {
            case .committed: break
            case .stopped: return
            case .stalled:
                WorkerMetrics.stalledBatches.increment()
                logger.error("a batch could not be applied in time; leaving the group until it can be",
                             metadata: ["limit_s": "\(configuration.effectiveBatchDeadlineSeconds)"])
                return
            }
            stats.count(plan)
            if stats.shouldReport {
                logger.info("progress", metadata: stats.metadata)
                stats.reported()
            }
        }
    }


    /// Lag per owned partition, every few seconds; partitions handed away since the last report read 0.
    private func reportLag(_ consumer: KafkaConsumer) {
        guard Date().timeIntervalSince(lastLag) >= Self.heartbeatSeconds else { return }
        lastLag = Date()
        let owned = consumer.assignment
        WorkerMetrics.lag(consumer, handedAway: reportedPartitions.subtracting(owned))
        reportedPartitions = owned
    }

    /// Tells ops tools this worker is alive. Best effort: a failure here never holds up a batch.
    private func beat(_ store: LedgerStore) {
        guard Date().timeIntervalSince(lastHeartbeat) >= Self.heartbeatSeconds else { return }
        lastHeartbeat = Date()
        do {
            try store.heartbeat(group: configuration.group, member: member, startedAt: startedAt)
            health.database(lane, answers: true)
        } catch {
            // Also what tells /readyz that PostgreSQL is gone while no batch is asking it, and what brings the
            // connection back while none does.
            health.database(lane, answers: false)
            guard error.underlying?.needsNewConnection ?? true else {
                logger.debug("heartbeat failed", metadata: ["error": "\(error)"])
                return
            }
            logger.warning("PostgreSQL refused the heartbeat; reconnecting", metadata: ["error": "\(error)"])
            if (try? store.reconnect()) != nil {
                WorkerMetrics.reconnect("postgres")
                logger.notice("reconnected to PostgreSQL")
            }
        }
    }

    /// A failed commit is not fatal: the outputs are already published. The offsets are kept and committed
    /// once the group is stable again; a partition that moves to another member meanwhile is read again by
    /// it, answered from the store, and its duplicates are dropped by id downstream.
    func commit(_ plan: BatchPlan, _ consumer: KafkaConsumer) {
        commit(uncommitted.merging(plan.nextOffsets) { max($0, $1) }, consumer)
    }

    private func commit(_ offsets: [TopicPartition: Int64], _ consumer: KafkaConsumer) {
        do {
            try consumer.commit(offsets)
            uncommitted = [:]
            consumer.resume(at: [:])
        } catch {
            uncommitted = offsets
            consumer.resume(at: offsets)
            logger.notice("offset commit refused; committing again once the group is stable",
                          metadata: ["error": "\(error)", "partitions": "\(offsets.count)"])
        }
    }

    /// Commits what an earlier refusal left, for the partitions this lane holds once the group has settled.
    private func commitUncommitted(_ consumer: KafkaConsumer) {
        guard !uncommitted.isEmpty, consumer.isGroupMember else { return }
        let owned = consumer.assignment
        let kept = uncommitted.filter { owned.contains($0.key) }
        uncommitted = [:]
        if !kept.isEmpty { commit(kept, consumer) }
    }

    /// Waits for PostgreSQL before joining the group: a worker that cannot apply holds no partitions.
    private func connectStore() -> LedgerStore? {
        var attempt = 0
        while true {
            attempt += 1
            health.turned(lane)
            do {
                let store = try LedgerStore(url: configuration.databaseURL, rules: configuration.rules)
                health.database(lane, answers: true)
                if attempt > 1 { WorkerMetrics.reconnect("postgres") }
                return store
            } catch {
                health.database(lane, answers: false)
                logger.warning("PostgreSQL unavailable; retrying", metadata: ["error": "\(error)"])
            }
            guard stop.sleep(millis: configuration.backoff.delayMillis(afterAttempt: attempt)) else { return nil }
        }
    }
}
