import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// A LiveGate worker as a `Service`: on SIGTERM or SIGINT (through the `ServiceGroup`) it finishes and
/// commits the batch in flight (one it is still retrying is left uncommitted, for the next reader), leaves
/// the consumer group and returns.
///
/// The loop itself runs on a dedicated thread: librdkafka's poll and libpq block, and must not occupy the
/// threads of the Swift concurrency pool.
public final class Worker: Service {
    private let configuration: WorkerConfiguration
    private let logger: Logger
    private let stop = StopSignal()
    /// What `/healthz` and `/readyz` answer from: a lane is stuck when its loop has not turned for the batch
    /// deadline and a minute more.
    public let health: WorkerHealth

    public init(configuration: WorkerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        health = WorkerHealth(
            lanes: configuration.lanes, stuckAfterSeconds: configuration.effectiveBatchDeadlineSeconds + 60)
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await withTaskCancellationHandler {
                try await Self.onDedicatedThread { try self.runLanes() }
            } onCancel: {
                self.stop.request()
            }
        } onGracefulShutdown: {
            self.stop.request()
        }
    }

    /// Starts the loop on its own thread without a `ServiceGroup` or the concurrency pool (for embedding,
    /// e.g. `livegate dev` and tests). Stop it with `stop()` on the returned handle.
    public func start() -> WorkerHandle {
        let handle = WorkerHandle(stop: stop)
        let thread = Thread {
            do { try self.runLanes() } catch { handle.finish(with: error) }
            handle.finish(with: nil)
        }
        thread.name = "livegate-worker"
        thread.start()
        return handle
    }

    /// What the worker checks, said at every start. What it was allowed to trust instead (unsigned input,
    /// producer time) the command that started it logs at warning level, with the option that allowed it.
    private func logTrust() {
        let rules = configuration.rules
        for (what, keys) in [("decisions", rules.decisionKeys), ("failed resolutions", rules.resolutionKeys)] {
            guard let keys else { continue }
            logger.info(
                "\(what) must be signed", metadata: ["kids": "\(keys.keys.keys.sorted().joined(separator: ","))"])
        }
    }

    /// Runs every lane on a thread of its own, and the status guard on another, and returns when all have
    /// stopped. `LaneSet` decides what a lane's end means for the others; its first failure is rethrown.
    private func runLanes() throws {
        logTrust()
        WorkerMetrics.buildInfo(version: LiveGateVersion.current, rules: configuration.rules)
        let lanes = max(1, configuration.lanes)
        let set = Mutex((lanes: LaneSet(lanes: lanes), errors: [Int: Error]()))
        let finished = DispatchGroup()
        for lane in 0..<lanes {
            let loop = WorkerLoop(configuration: configuration, lane: lane, logger: logger, stop: stop, health: health)
            finished.enter()
            let thread = Thread {
                defer { finished.leave() }
                var failure: Error?
                do { try loop.run() } catch { failure = error }
                let action = set.withLock {
                    if let failure { $0.errors[lane] = failure }
                    return $0.lanes.laneEnded(lane, failed: failure != nil)
                }
                if action == .stopAll { self.stop.request() }
            }
            thread.name = "livegate-lane-\(lane)"
            thread.start()
        }
        let guardian = StatusGuard(configuration: configuration, logger: logger, stop: stop)
        finished.enter()
        let thread = Thread {
            defer { finished.leave() }
            guardian.run()
        }
        thread.name = "livegate-status-guard"
        thread.start()
        finished.wait()
        if let error = set.withLock({ state in state.lanes.firstFailed.flatMap { state.errors[$0] } }) { throw error }
    }

    static func onDedicatedThread(_ body: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            let thread = Thread {
                do {
                    try body()
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.name = "livegate-worker"
            thread.start()
        }
    }
}

/// Set once, read by the worker thread between batches and between retries.
final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)
    func request() { flag.store(true, ordering: .relaxed) }
    var isRequested: Bool { flag.load(ordering: .relaxed) }

    /// Sleeps `millis` in steps of 50 ms; false if a stop was requested meanwhile.
    func sleep(millis: Int) -> Bool {
        var remaining = millis
        while remaining > 0 {
            if isRequested { return false }
            let step = min(remaining, 50)
            usleep(UInt32(step * 1000))
            remaining -= step
        }
        return !isRequested
    }
}

/// A worker started with `Worker.start()`.
public final class WorkerHandle: Sendable {
    private let stopSignal: StopSignal
    private let done = DispatchSemaphore(value: 0)
    private let failure = Mutex<(finished: Bool, error: Error?)>((false, nil))

    init(stop: StopSignal) { stopSignal = stop }

    func finish(with error: Error?) {
        let first = failure.withLock { state -> Bool in
            guard !state.finished else { return false }
            state = (true, error)
            return true
        }
        if first { done.signal() }
    }

    /// Asks the worker to finish its batch, commit and leave the group; waits for it and rethrows its failure.
    public func stop() throws {
        stopSignal.request()
        done.wait()
        done.signal()
        if let error = failure.withLock({ $0.error }) { throw error }
    }
}
