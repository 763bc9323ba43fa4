import Dispatch
import Foundation
import Kafka
import LiveGateCore
import LiveGateStore
import Logging

/// One lane of a worker: its own consumer in the group, producer and PostgreSQL connection. It decides
/// nothing: `LaneMachine` says what to do next (connect, join, beat, poll, apply, publish, commit, retry,
/// leave), this loop does it and reports what happened, failures included, and the machine answers with the
/// next action. So every rule of a lane's life has one home and a unit test without I/O.
final class WorkerLoop: @unchecked Sendable {  // used by its one lane thread only
    let configuration: WorkerConfiguration
    let logger: Logger
    let stop: StopSignal
    var stats = WorkerStats()
    let faults = FaultInjection.fromEnvironment
    /// How this lane names itself in `worker_heartbeats`.
    let member: String
    /// The lane's static group membership id, if the worker has one.
    let instanceId: String?
    let startedAt = WallClock.now()
    /// This lane's number, and where it reports its health (`/healthz`, `/readyz`).
    let lane: Int
    let health: WorkerHealth
    var machine: LaneMachine
    /// A replay's ranges, for a lane in the `.reader` role; nil for a member of the live group.
    let reader: ReplayJob?

    // What the actions act on. Each is set by the action that opens it and dropped by the one that ends it.
    var store: LedgerStore?
    var consumer: KafkaConsumer?
    var producer: KafkaProducer?
    /// Records of the last poll, until `decode` turns them into `plan`.
    var polled: [ConsumedRecord] = []
    var plan: BatchPlan?
    var outcomes: [EventOutcome] = []
    /// When the batch was polled and when its transaction committed, in epoch microseconds, for `StageStamps`.
    var polledAt: Int64 = 0
    var committedAt: Int64 = 0
    /// Partitions whose lag the last report gave, so those handed away since read 0.
    var reportedPartitions: Set<TopicPartition> = []
    /// What ended the lane, rethrown at `.fail`.
    var failure: Error?

    /// `lane` numbers the lanes of one worker from 0; with more than one, each lane's member name and
    /// static membership id get the suffix `-<lane>`, so they stay distinct in the group.
    init(
        configuration: WorkerConfiguration, lane: Int = 0, logger: Logger, stop: StopSignal,
        health: WorkerHealth? = nil, reader: ReplayJob? = nil
    ) {
        self.configuration = configuration
        self.reader = reader
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
        machine = LaneMachine(
            role: reader == nil ? .member : .reader,
            timing: LaneMachine.Timing(
                batchDeadlineSeconds: configuration.effectiveBatchDeadlineSeconds,
                heartbeatSeconds: Self.heartbeatSeconds))
    }

    /// Seconds between heartbeats, and between lag reports.
    static let heartbeatSeconds = 5.0

    /// Performs the machine's actions until it says the lane is done; rethrows what made it fail.
    func run() throws {
        defer { if reader == nil { logger.info("worker stopped", metadata: stats.metadata) } }
        if faults.isArmed {
            logger.warning("fault injection armed (LIVEGATE_FAULT): for tests only", metadata: ["fault": "\(faults)"])
        }
        var action = machine.start()
        while true {
            switch action {
            case .exit: return
            case .fail: throw failure ?? LaneFailed()
            default: action = perform(action)
            }
        }
    }

    /// Does one action and returns the machine's answer to its result.
    private func perform(_ action: LaneMachine.Action) -> LaneMachine.Action {
        switch action {
        case let .connectStore(attempt): return connectStore(attempt: attempt)
        case let .wait(failures): return wait(afterFailures: failures)
        case .joinGroup: return joinGroup()
        case .turn: return turn()
        case .heartbeat: return heartbeat()
        case .reconnectStore: return reconnectStore()
        case .reportLag: return reportLag()
        case .poll: return poll()
        case let .commitCarryOver(offsets): return commit(offsets)
        case let .decode(dropping): return decode(dropping: dropping)
        case .apply: return apply(isolating: false)
        case .isolate: return apply(isolating: true)
        case .publish: return publish()
        case .replaceProducer: return replaceProducer()
        case let .commitBatch(offsets): return commitBatch(offsets)
        case .finishBatch: return finishBatch()
        case let .leaveGroup(ending): return leaveGroup(ending)
        case .forgetMember: return forgetMember()
        case .exit, .fail: preconditionFailure("run() ends the lane at \(action)")
        }
    }

    /// The backoff after `failures` failures, cut short by a stop.
    private func wait(afterFailures failures: Int) -> LaneMachine.Action {
        health.turned(lane)
        let millis = configuration.backoff.delayMillis(afterAttempt: failures)
        return stop.sleep(millis: millis) ? machine.waited() : machine.stopRequested()
    }

    /// Monotonic nanoseconds, for the machine's deadlines (wall-clock jumps cannot shorten or stretch them).
    static var now: UInt64 { DispatchTime.now().uptimeNanoseconds }
}

/// The machine failed the lane without an error to rethrow (it always has one; this keeps `run` total).
struct LaneFailed: Error, CustomStringConvertible {
    var description: String { "the lane failed" }
}
