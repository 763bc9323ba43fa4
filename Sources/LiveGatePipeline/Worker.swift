import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// A LiveGate worker as a `Service`: on SIGTERM or SIGINT (through the `ServiceGroup`) it finishes and
/// commits the batch in flight, leaves the consumer group and returns.
///
/// The loop itself runs on a dedicated thread: librdkafka's poll and libpq block, and must not occupy the
/// threads of the Swift concurrency pool.
public final class Worker: Service {
    private let configuration: WorkerConfiguration
    private let logger: Logger
    private let stop = StopSignal()

    public init(configuration: WorkerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        let loop = WorkerLoop(configuration: configuration, logger: logger, stop: stop)
        try await withGracefulShutdownHandler {
            try await withTaskCancellationHandler {
                try await Self.onDedicatedThread { try loop.run() }
            } onCancel: { self.stop.request() }
        } onGracefulShutdown: { self.stop.request() }
    }

    /// Asks the loop to stop after its current batch (for embedding without a `ServiceGroup`).
    public func requestStop() { stop.request() }

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
}
