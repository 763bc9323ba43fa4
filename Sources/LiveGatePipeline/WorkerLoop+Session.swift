import Kafka
import LiveGateCore
import LiveGateStore

/// The actions of a session around its batches: PostgreSQL first, then the group, each turn's heartbeat, lag
/// and poll, and the end. Each reports its result to the machine, failures included.
extension WorkerLoop {
    func connectStore(attempt: Int) -> LaneMachine.Action {
        health.turned(lane)
        if stop.isRequested { return machine.stopRequested() }
        do {
            store = try LedgerStore(url: configuration.databaseURL, rules: configuration.rules)
            health.database(lane, answers: true)
            if attempt > 1 { WorkerMetrics.reconnect("postgres") }
            return machine.storeConnected()
        } catch {
            health.database(lane, answers: false)
            logger.warning(
                "PostgreSQL unavailable; retrying", metadata: ["error": "\(error)", "attempt": "\(attempt)"])
            return machine.storeConnectFailed()
        }
    }

    func joinGroup() -> LaneMachine.Action {
        if let reader { return startReading(reader) }
        do {
            let consumer = try KafkaConsumer(
                brokers: configuration.brokers, group: configuration.group, topics: Topics.inputs,
                instanceId: instanceId, settings: configuration.kafka, logger: KafkaLogBridge(logger: logger))
            self.consumer = consumer
            producer = try configuration.makeProducer()
            logger.info(
                "worker joined the group",
                metadata: [
                    "group": "\(configuration.group)",
                    "batch_deadline_s": "\(configuration.effectiveBatchDeadlineSeconds)",
                ])
            return machine.joined()
        } catch {
            consumer?.close()
            consumer = nil
            failure = error
            logger.critical("cannot join the group", metadata: ["error": "\(error)"])
            return machine.joinFailed()
        }
    }

    func turn() -> LaneMachine.Action {
        health.turned(lane)
        health.inGroup(lane, consumer?.isGroupMember ?? false)
        if stop.isRequested { return machine.stopRequested() }
        if reader?.isComplete == true { return machine.rangeRead() }
        return machine.turn(at: Self.now)
    }

    /// Tells ops tools this lane is alive; also what tells /readyz that PostgreSQL is gone while no batch is
    /// asking it.
    func heartbeat() -> LaneMachine.Action {
        do {
            try store?.heartbeat(group: configuration.group, member: member, startedAt: startedAt)
            health.database(lane, answers: true)
            return machine.heartbeatSucceeded()
        } catch {
            health.database(lane, answers: false)
            let reconnect = FailureTable.needsNewConnection(error)
            if reconnect {
                logger.warning("PostgreSQL refused the heartbeat; reconnecting", metadata: ["error": "\(error)"])
            } else {
                logger.debug("heartbeat failed", metadata: ["error": "\(error)"])
            }
            return machine.heartbeatFailed(needsNewConnection: reconnect)
        }
    }

    func reconnectStore() -> LaneMachine.Action {
        guard let store else { preconditionFailure("reconnectStore without a store") }
        do {
            try store.reconnect()
            WorkerMetrics.reconnect("postgres")
            health.database(lane, answers: true)
            logger.notice("reconnected to PostgreSQL")
            return machine.storeReconnected()
        } catch {
            health.database(lane, answers: false)
            logger.warning("PostgreSQL reconnect failed", metadata: ["error": "\(error)"])
            return machine.storeReconnectFailed(at: Self.now)
        }
    }

    /// Lag per owned partition; partitions handed away since the last report read 0.
    func reportLag() -> LaneMachine.Action {
        if let consumer {
            let owned = consumer.assignment
            WorkerMetrics.lag(consumer, handedAway: reportedPartitions.subtracting(owned))
            reportedPartitions = owned
        }
        return machine.lagReported()
    }

    /// A poll, and the group as it stands after it (rebalances run inside the call).
    func poll() -> LaneMachine.Action {
        guard let consumer else { preconditionFailure("poll without a consumer") }
        do {
            let result = try stats.timePoll {
                try consumer.pollRecords(
                    maxRecords: configuration.maxBatchRecords, maxWaitMillis: configuration.maxBatchWaitMillis)
            }
            reportOffsetResets(consumer)
            if let reader { return readerPolled(reader, result.records) }
            polled = result.records
            if configuration.stageStamps { polledAt = WallClock.nowMicros() }
            return machine.polled(
                LaneMachine.Poll(
                    nextOffsets: BatchPlan.nextOffsets(of: result.records), revokedDuringPoll: result.revokedDuringPoll,
                    owned: consumer.assignment, isGroupMember: consumer.isGroupMember))
        } catch {
            failure = error
            logger.critical("the consumer failed; stopping", metadata: ["error": "\(error)"])
            return machine.pollFailed()
        }
    }

    /// Commits `offsets`; a refusal is not fatal (the outputs are durable) and the machine carries them over.
    /// Either way the consumer resumes any partition handed back to it from the machine's carry-over, not
    /// from the older committed offset.
    func commit(_ offsets: [TopicPartition: Int64]) -> LaneMachine.Action {
        guard let consumer else { preconditionFailure("commit without a consumer") }
        let next: LaneMachine.Action
        do {
            try stats.time(.commit) { try consumer.commit(offsets) }
            next = machine.offsetsCommitted()
        } catch {
            logger.notice(
                "offset commit refused; committing again once the group is stable",
                metadata: ["error": "\(error)", "partitions": "\(offsets.count)"])
            next = machine.commitRefused()
        }
        consumer.resume(at: machine.carryOver)
        return next
    }

    /// Closes the consumer (a dynamic member leaves the group, so others take its partitions at once) and the
    /// producer.
    func leaveGroup(_ ending: LaneMachine.Ending) -> LaneMachine.Action {
        if ending == .stalled {
            WorkerMetrics.stalledBatches.increment()
            logger.error(
                "a batch could not be applied in time; leaving the group until it can be",
                metadata: ["limit_s": "\(configuration.effectiveBatchDeadlineSeconds)"])
        }
        consumer?.close()
        consumer = nil
        producer = nil
        polled = []
        plan = nil
        outcomes = []
        health.inGroup(lane, false)
        return machine.sessionClosed()
    }

    /// A clean stop says so at once: ops tools need not wait out the heartbeat window.
    func forgetMember() -> LaneMachine.Action {
        try? store?.leave(group: configuration.group, member: member)
        return machine.memberForgotten()
    }
}
