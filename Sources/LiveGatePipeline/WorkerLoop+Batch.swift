import Dispatch
import Kafka
import LiveGateCore
import LiveGateStore

extension WorkerLoop {
    enum BatchEnd { case committed, stopped, stalled }

    /// Executes the actions of a `BatchLifecycle` for one batch: apply (isolating refused records), publish,
    /// commit, with the retries, reconnects and deadline the lifecycle decides. Throws only when a record
    /// breaks a store invariant.
    func process(_ plan: BatchPlan, store: LedgerStore, producer: inout KafkaProducer,
                 consumer: KafkaConsumer) throws -> BatchEnd {
        var lifecycle = BatchLifecycle(deadlineSeconds: configuration.effectiveBatchDeadlineSeconds)
        var outcomes: [EventOutcome] = []
        var action = lifecycle.polled(at: Self.now)
        while true {
            switch action {
            case .apply, .isolate:
                do {
                    let isolate = action == .isolate
                    outcomes = try stats.time(.apply) {
                        isolate ? try RecordIsolation(apply: store.apply).run(plan.events) : try store.apply(plan.events)
                    }
                    faults.check(.afterApply, batch: stats.batches + 1)
                    health.database(lane, answers: true)
                    action = lifecycle.applied()
                } catch let broken as RecordIsolation.BrokenInvariant {
                    let record = plan.record(ofEvent: broken.eventIndex)
                    logger.critical("a record breaks a store invariant; stopping", metadata: [
                        "topic": "\(record.topic)", "partition": "\(record.partition)", "offset": "\(record.offset)",
                        "error": "\(broken.error)",
                    ])
                    action = lifecycle.applyFailed(.brokenInvariant, at: Self.now)
                    if action == .exit { throw broken.error }
                } catch {
                    let failure = classify(error, attempt: lifecycle.failures + 1)
                    if case .transient = failure { health.database(lane, answers: false) }
                    WorkerMetrics.retry("apply")
                    action = lifecycle.applyFailed(failure, at: Self.now)
                }
            case .publish:
                do {
                    try stats.time(.publish) { try producer.send(plan.outputs(outcomes)) }
                    faults.check(.afterPublish, batch: stats.batches + 1)
                    stats.countRefused(outcomes)
                    WorkerMetrics.count(plan, outcomes)
                    action = lifecycle.published()
                } catch {
                    logger.warning("publishing failed; retrying", metadata: ["error": "\(error)", "attempt": "\(lifecycle.failures + 1)"])
                    let fatal = (error as? KafkaError)?.isFatal == true
                    WorkerMetrics.retry("publish")
                    action = lifecycle.publishFailed(fatal ? .fatalProducer : .transient, at: Self.now)
                }
            case .commit:
                stats.time(.commit) { commit(plan, consumer) }
                action = lifecycle.committed()
            case .reconnect:
                do {
                    try store.reconnect()
                    WorkerMetrics.reconnect("postgres")
                    health.database(lane, answers: true)
                    logger.notice("reconnected to PostgreSQL")
                } catch {
                    logger.warning("PostgreSQL reconnect failed; retrying", metadata: ["error": "\(error)"])
                }
                action = lifecycle.reconnected()
            case .replaceProducer:
                // An idempotent producer that lost its guarantees is replaced, not retried.
                if let fresh = try? configuration.makeProducer() {
                    producer = fresh
                    WorkerMetrics.reconnect("kafka_producer")
                }
                action = lifecycle.producerReplaced()
            case let .wait(failures):
                health.turned(lane)
                let millis = configuration.backoff.delayMillis(afterAttempt: failures)
                action = stop.sleep(millis: millis) ? lifecycle.waited() : lifecycle.stopRequested()
            case .done: return .committed
            case .stop: return .stopped
            case .leaveGroup: return .stalled
            case .exit: return .stopped  // unreachable: thrown above
            }
        }
    }

    /// What kind of apply failure `error` is, logged as it is classified.
    private func classify(_ error: Error, attempt: Int) -> BatchLifecycle.ApplyFailure {
        guard let error = error as? StoreError else {
            logger.warning("batch failed; retrying", metadata: ["error": "\(error)", "attempt": "\(attempt)"])
            return .transient(needsNewConnection: false)
        }
        if error.refusesData { return .refusesData }
        if error.kind == .invariantViolated { return .refusesData }  // isolated first, to name the record
        if error.isRetryable {
            logger.warning("batch failed; retrying", metadata: ["error": "\(error)", "attempt": "\(attempt)"])
            return .transient(needsNewConnection: error.underlying?.needsNewConnection == true)
        }
        // Refused for every batch alike (a missing table, a revoked privilege): nothing to isolate and nothing
        // to gain by exiting; wait for the database to be mended, as for an outage.
        logger.error("PostgreSQL refuses every batch; retrying", metadata: ["error": "\(error)", "attempt": "\(attempt)"])
        return .refusesEveryBatch
    }

    /// Monotonic nanoseconds, for the batch deadline (wall-clock jumps cannot shorten or stretch it).
    static var now: UInt64 { DispatchTime.now().uptimeNanoseconds }
}
