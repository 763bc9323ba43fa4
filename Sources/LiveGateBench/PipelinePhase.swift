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
        /// Each attempt's first verdict by status.
        let statuses: [Int: Int]
        /// Where the verdicts' latency went, stage by stage.
        let stages: StageLatency

        var throughputPerSecond: Double { Double(attempts) / seconds }
    }

    let config: BenchConfig
    let name: String

    func run(attempts count: Int, batchMax: Int, ratePerSecond: Int? = nil) throws -> Result {
        let rig = try PhaseRig(config: config, name: name, attempts: count, batchMax: batchMax)
        defer { rig.close() }
        let (work, clock) = (rig.work, rig.clock)
        let meter = try PostgresConnection(url: rig.url)
        let before = try ResourceSample.take(meter, worker: rig.worker.pid)
        let started = Date()
        let answers = count - work.repeats
        let timeline =
            answers >= Timeline.minimumAnswers
            ? Timeline(total: answers, clock: clock, worker: rig.worker, started: started) : nil
        try publish(work, producer: rig.producer, ratePerSecond: ratePerSecond, started: started, clock: clock)
        guard clock.waitWhileAnswering(stallSeconds: PhaseRig.stallSeconds) else {
            throw BenchError.incomplete(
                phase: name, answered: clock.answered, expected: count - work.repeats,
                droppedUnread: clock.droppedUnread)
        }
        let seconds = clock.lastArrival.timeIntervalSince(started)
        let cost = try before.cost(
            to: try ResourceSample.take(meter, worker: rig.worker.pid), attempts: count, db: meter)
        return Result(
            attempts: count, seconds: seconds, latencyMs: clock.histogram,
            workerRSSMaxMB: rig.worker.peakRSSMegabytes(),
            cost: cost, tenths: timeline?.finish(lastArrival: clock.lastArrival) ?? [], statuses: clock.statuses,
            stages: clock.stages)
    }

    /// Most attempts published but not yet answered. The embedded broker keeps only about 5 MB per partition
    /// and drops the oldest records beyond that, read or not, so a closed loop must not run further ahead of
    /// the worker. 100,000 (about 3.5 MB a partition on average) lost records on the busiest partitions once
    /// the worker ran at 40,000/s; 50,000 is still more than a second of its work.
    static let maxInFlight = 50_000

    private func publish(
        _ work: BenchWorkload, producer: KafkaProducer, ratePerSecond: Int?, started: Date,
        clock: VerdictClock
    ) throws {
        let chunk = ratePerSecond.map { max(1, $0 / 200) } ?? 5000
        var values = work.attempts.map(\.value)
        var sent = 0
        while sent < work.attempts.count {
            let range = sent..<min(sent + chunk, work.attempts.count)
            work.stamp(&values, range, at: WallClock.now())
            try producer.enqueue(
                range.map {
                    ProducerRecord(
                        topic: Topics.transactionAttempt, key: Array(work.attempts[$0].tenant.utf8), value: values[$0])
                })
            sent = range.upperBound
            var waitedSince = Date()
            // Verdict records, not distinct answers: a repeat (2% of attempts) is answered again under the id
            // already counted, and 2.5 million attempts in, the distinct count would stay 50,000 behind for good.
            var answered = clock.records
            while sent - clock.records > Self.maxInFlight {
                if clock.records != answered { (answered, waitedSince) = (clock.records, Date()) }
                guard Date().timeIntervalSince(waitedSince) < PhaseRig.stallSeconds else {
                    throw BenchError.incomplete(
                        phase: "closed loop", answered: clock.answered, expected: work.attempts.count,
                        droppedUnread: clock.droppedUnread)
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
