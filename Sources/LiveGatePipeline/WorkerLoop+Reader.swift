import Kafka
import LiveGateCore

/// The actions that differ for a lane in the `.reader` role (a replay): it is assigned its ranges instead of
/// joining the group, keeps only the records inside them, and counts each finished batch for the audit row.
extension WorkerLoop {
    /// Assigned the partitions from where each one got (a new session after a stall resumes there); a dry
    /// run has no producer.
    func startReading(_ reader: ReplayJob) -> LaneMachine.Action {
        do {
            consumer = try KafkaConsumer(
                brokers: configuration.brokers, reading: reader.resumeOffsets,
                settings: configuration.kafka)
            producer = reader.dryRun ? nil : try configuration.makeProducer()
            return machine.joined()
        } catch {
            consumer = nil
            failure = error
            return machine.joinFailed()
        }
    }

    /// Records past a range's end are not the replay's; none for `ReplayJob.idleNanos` while records remain
    /// fails the reader, naming the offset it waited for (the brokers lost it, or it was deleted meanwhile).
    func readerPolled(_ reader: ReplayJob, _ records: [ConsumedRecord]) -> LaneMachine.Action {
        let now = Self.now
        let kept = reader.within(records, at: now)
        if kept.isEmpty, let (tp, offset) = reader.idleSince(now) {
            failure = ReaderLane.Stalled(offset: offset)
            logger.error(
                "no record arrived for 30 s",
                metadata: [
                    "topic": "\(tp.topic)", "partition": "\(tp.partition)", "offset": "\(offset)",
                ])
            return machine.pollFailed()
        }
        polled = kept
        return machine.polled(
            LaneMachine.Poll(
                nextOffsets: BatchPlan.nextOffsets(of: kept), owned: Set(reader.ranges.keys), isGroupMember: false))
    }

    /// A reader's batch is done: counted, and its partitions move on.
    func finishBatch() -> LaneMachine.Action {
        if let plan, let reader { reader.finished(plan, outcomes) }
        plan = nil
        outcomes = []
        return machine.batchFinished()
    }
}
