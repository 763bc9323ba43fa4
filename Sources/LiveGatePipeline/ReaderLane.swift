import Kafka
import LiveGateStore
import Logging

/// Fixed ranges of an input topic read through one lane in the `.reader` role: the workers' machine, producer
/// settings, retries, reconnects and batch deadline, outside the group and committing nothing. What
/// `livegate replay` runs (in `LiveGateOps`), after it has checked the group and opened the audit row.
public enum ReaderLane {
    /// No record arrived for `ReplayJob.idleNanos` while records remained: the brokers lost the one at
    /// `offset`, or it was deleted meanwhile.
    public struct Stalled: Error {
        public let offset: Int64
    }

    /// Reads each range, first to last offset inclusive, applying (or, in a dry run, only evaluating) every
    /// record; `progress` gets records done and records in all. Returns what the records came to.
    public static func read(
        _ ranges: [TopicPartition: ClosedRange<Int64>], configuration: WorkerConfiguration, dryRun: Bool,
        logger: Logger, progress: @escaping (Int64, Int64) -> Void
    ) throws -> ReplayAudit.Counts {
        let job = ReplayJob(ranges: ranges, dryRun: dryRun, progress: progress)
        let lane = WorkerLoop(configuration: configuration, logger: logger, stop: StopSignal(), reader: job)
        try lane.run()
        return job.counts
    }
}
