import Foundation
import Kafka
import LiveGateCore
import LiveGateStore
import Logging

/// Poll a batch, decode, apply in one transaction, publish every output, wait for the acknowledgements,
/// then commit. Offsets are committed only after the outputs are durable, and the outputs only after the
/// store committed, so a crash anywhere repeats work (answered from the store, byte for byte) but never
/// loses or double-counts it.
final class WorkerLoop: @unchecked Sendable {  // used by its one worker thread only
    let configuration: WorkerConfiguration
    let logger: Logger
    let stop: StopSignal
    private var stats = WorkerStats()
    private let faults = FaultInjection.fromEnvironment

    init(configuration: WorkerConfiguration, logger: Logger, stop: StopSignal) {
        self.configuration = configuration
        self.logger = logger
        self.stop = stop
    }

    func run() throws {
        guard let store = connectStore() else { return }
        let kafkaLog = KafkaLogBridge(logger: logger)
        let consumer = try KafkaConsumer(
            brokers: configuration.brokers, group: configuration.group, topics: Topics.inputs,
            instanceId: configuration.instanceId, settings: configuration.kafka, logger: kafkaLog)
        defer {
            consumer.close()
            logger.info("worker stopped", metadata: stats.metadata)
        }
        let producer = try KafkaProducer(brokers: configuration.brokers,
                                         settings: Self.producerDefaults.merging(configuration.kafka))
        logger.info("worker started", metadata: ["group": "\(configuration.group)"])
        while !stop.isRequested {
            let records = try consumer.poll(maxRecords: configuration.maxBatchRecords,
                                            maxWaitMillis: configuration.maxBatchWaitMillis)
            guard !records.isEmpty else { continue }
            let plan = BatchPlan(records, rules: configuration.rules)
            guard publish(plan, store: store, producer: producer) else { return }
            commit(plan, consumer)
            stats.count(plan)
            if stats.shouldReport {
                logger.info("progress", metadata: stats.metadata)
                stats.reported()
            }
        }
    }

    /// Room for dead letters, which carry whole original values (the topic allows 16 MiB).
    static let producerDefaults = KafkaSettings([("message.max.bytes", "17825792")])

    /// Applies and publishes, retrying with backoff until it succeeds. Returns false when asked to stop
    /// first: nothing is committed then, and the batch will be read again.
    private func publish(_ plan: BatchPlan, store: LedgerStore, producer: KafkaProducer) -> Bool {
        var attempt = 0
        while true {
            attempt += 1
            do {
                let outcomes = try store.apply(plan.events)
                faults.check(.afterApply, batch: stats.batches + 1)
                try producer.send(plan.outputs(outcomes))
                faults.check(.afterPublish, batch: stats.batches + 1)
                return true
            } catch let error as StoreError where !error.isRetryable {
                // A broken invariant will not mend by retrying; stopping keeps the evidence intact.
                logger.critical("store refused a batch", metadata: ["error": "\(error)"])
                stop.request()
                return false
            } catch {
                logger.warning("batch failed; retrying", metadata: ["error": "\(error)", "attempt": "\(attempt)"])
                if case let storeError as StoreError = error, storeError.underlying?.isConnectionFailure == true {
                    try? store.reconnect()
                }
            }
            guard pause(attempt) else { return false }
        }
    }

    /// A failed commit is not fatal: the outputs are already published, so the records' next reader gets
    /// the stored answers again and publishes duplicates that consumers drop by id.
    private func commit(_ plan: BatchPlan, _ consumer: KafkaConsumer) {
        do {
            try consumer.commit(plan.nextOffsets)
        } catch {
            logger.warning("offset commit failed; the batch may be read again", metadata: ["error": "\(error)"])
        }
    }

    private func connectStore() -> LedgerStore? {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try LedgerStore(url: configuration.databaseURL, rules: configuration.rules)
            } catch {
                logger.warning("PostgreSQL unavailable; retrying", metadata: ["error": "\(error)"])
            }
            guard pause(attempt) else { return nil }
        }
    }

    /// Sleeps the backoff for `attempt` in short steps; false if a stop was requested meanwhile.
    private func pause(_ attempt: Int) -> Bool {
        var remaining = configuration.backoff.delayMillis(afterAttempt: attempt)
        while remaining > 0 {
            if stop.isRequested { return false }
            let step = min(remaining, 50)
            usleep(UInt32(step * 1000))
            remaining -= step
        }
        return !stop.isRequested
    }
}
