import Kafka
import LiveGateCore
import LiveGateStore
import Logging

/// The actions of one batch: decode, apply (or isolate), publish, replace the producer, commit. What a
/// failure means is `FailureTable`'s to say; what to do about it, the machine's.
extension WorkerLoop {
    /// Decodes the polled records, without those of partitions the machine drops (revoked during the poll:
    /// their new owner reads them from the committed offset).
    func decode(dropping: Set<TopicPartition>) -> LaneMachine.Action {
        let records =
            dropping.isEmpty
            ? polled
            : polled.filter { !dropping.contains(TopicPartition(topic: $0.topic, partition: $0.partition)) }
        polled = []
        plan = stats.time(.decode) { BatchPlan(records, rules: configuration.rules) }
        return machine.decoded(at: Self.now)
    }

    func apply(isolating: Bool) -> LaneMachine.Action {
        guard let plan, let store else { preconditionFailure("apply without a batch or a store") }
        // A dry run evaluates: nothing is kept.
        let applyEvents: ([InputEvent]) throws -> [EventOutcome] = reader?.dryRun == true ? store.evaluate : store.apply
        do {
            outcomes = try stats.time(.apply) {
                isolating ? try RecordIsolation(apply: applyEvents).run(plan.events) : try applyEvents(plan.events)
            }
            if configuration.stageStamps { committedAt = WallClock.nowMicros() }
            faults.check(.afterApply, batch: stats.batches + 1)
            health.database(lane, answers: true)
            return machine.applied()
        } catch let broken as RecordIsolation.BrokenInvariant {
            let record = plan.record(ofEvent: broken.eventIndex)
            logger.critical(
                "a record breaks a store invariant; stopping",
                metadata: [
                    "topic": "\(record.topic)", "partition": "\(record.partition)", "offset": "\(record.offset)",
                    "error": "\(broken.error)",
                ])
            failure = broken.error
            return machine.applyFailed(.brokenInvariant, at: Self.now)
        } catch {
            let kind = FailureTable.apply(error)
            let metadata: Logger.Metadata = ["error": "\(error)", "attempt": "\(machine.batchFailures + 1)"]
            switch kind {
            case .transient:
                health.database(lane, answers: false)
                logger.warning("batch failed; retrying", metadata: metadata)
            case .refusesEveryBatch:
                // Nothing to isolate and nothing to gain by exiting: wait for the database to be mended.
                logger.error("PostgreSQL refuses every batch; retrying", metadata: metadata)
            case .refusesData, .brokenInvariant:
                break  // isolated next; what isolation finds is logged there
            }
            WorkerMetrics.retry("apply")
            return machine.applyFailed(kind, at: Self.now)
        }
    }

    /// Publishes every output and waits for the acknowledgements.
    func publish() -> LaneMachine.Action {
        guard let plan else { preconditionFailure("publish without a batch") }
        do {
            if let producer {
                try stats.time(.publish) {
                    let records = plan.outputs(outcomes)
                    try producer.send(configuration.stageStamps ? stamped(records) : records)
                }
            } else {
                precondition(reader?.dryRun == true, "publish without a producer")  // a dry run publishes nothing
            }
            faults.check(.afterPublish, batch: stats.batches + 1)
            stats.countRefused(outcomes)
            WorkerMetrics.count(plan, outcomes)
            return machine.published()
        } catch {
            let kind = FailureTable.kafka(error)
            let metadata: Logger.Metadata = [
                "error": "\(error)", "class": "\(kind)", "attempt": "\(machine.batchFailures + 1)",
            ]
            if kind == .refused {
                logger.error("the brokers refuse the batch's outputs; retrying", metadata: metadata)
            } else {
                logger.warning("publishing failed; retrying", metadata: metadata)
            }
            WorkerMetrics.retry("publish")
            return machine.publishFailed(kind.publishFailure, at: Self.now)
        }
    }

    /// `records` with the batch's `StageStamps` on each transaction verdict.
    func stamped(_ records: [ProducerRecord]) -> [ProducerRecord] {
        let stamps = StageStamps(
            polled: polledAt, read: store?.lastRead ?? 0, written: store?.lastWritten ?? 0, committed: committedAt,
            handed: WallClock.nowMicros())
        let header = KafkaHeader(name: StageStamps.header, value: stamps.bytes)
        return records.map { record in
            guard record.topic == Topics.transactionVerdict else { return record }
            return ProducerRecord(
                topic: record.topic, key: record.key, value: record.value, headers: record.headers + [header])
        }
    }

    /// An idempotent producer that lost its guarantees is replaced, not retried; the old one is kept until
    /// a new one exists.
    func replaceProducer() -> LaneMachine.Action {
        do {
            producer = try configuration.makeProducer()
            WorkerMetrics.reconnect("kafka_producer")
            logger.notice("replaced the producer")
            return machine.producerReplaced()
        } catch {
            logger.warning("cannot make a new producer; retrying", metadata: ["error": "\(error)"])
            return machine.producerReplaceFailed(at: Self.now)
        }
    }

    /// Commits the batch (and any carry-over the machine merged in), then counts it.
    func commitBatch(_ offsets: [TopicPartition: Int64]) -> LaneMachine.Action {
        let next = commit(offsets)
        if let plan { stats.count(plan) }
        plan = nil
        outcomes = []
        if stats.shouldReport {
            logger.info("progress", metadata: stats.metadata)
            stats.reported()
        }
        return next
    }
}
