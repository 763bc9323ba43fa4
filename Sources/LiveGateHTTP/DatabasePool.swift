import Foundation
import LiveGateStore
import Postgres
import Synchronization

/// PostgreSQL for `livegate serve`: libpq is blocking, so each of `size` threads owns one connection and
/// runs queries off the Swift concurrency pool. Bounded everywhere: at most `size` queries run and
/// `queueLimit` wait; the caller's wait ends at its deadline whether or not the query has; a job whose caller
/// already gave up is dropped unrun, also after a slow connect; connecting waits at most about the deadline,
/// and after a failed connect a thread fails jobs at once for a second instead of connecting for each.
public final class DatabasePool: Sendable {
    public enum Failure: Error, Equatable {
        /// Every thread is busy and the queue is full: answer 503 at once.
        case overloaded
        /// The deadline passed before the answer came.
        case timedOut
    }

    private struct Job: Sendable {
        let deadline: ContinuousClock.Instant
        /// True once the caller has its answer (a timeout): the job need not run.
        let abandoned: @Sendable () -> Bool
        let run: @Sendable (Result<PostgresConnection, Error>) -> Void
    }

    private struct State {
        var jobs: [Job] = []
        var stopped = false
    }

    private let url: String
    private let timeout: Duration
    private let queueLimit: Int
    private let state = Mutex(State())
    private let wake = NSCondition()
    private let lastAnswer = Mutex<ContinuousClock.Instant?>(nil)
    /// After a failed connect, a thread fails its jobs with that error for this long before trying again.
    static let connectBackoff: Duration = .seconds(1)

    /// `timeout` bounds every call: it is also each statement's timeout and, rounded up, the connect timeout.
    public init(url: String, size: Int, queueLimit: Int, timeout: Duration) {
        self.url = url
        self.queueLimit = queueLimit
        self.timeout = timeout
        for index in 0..<size {
            let thread = Thread { [self] in serve() }
            thread.name = "livegate-db-\(index)"
            thread.start()
        }
    }

    /// Runs `body` on a pooled connection and returns its result, or throws `Failure` or what `body` threw.
    public func run<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            let once = Once(continuation)
            let job = Job(deadline: deadline, abandoned: { once.isResumed }) { [self] connection in
                once.resume(
                    with: connection.flatMap { connection in
                        Result {
                            let value = try body(connection)
                            lastAnswer.withLock { $0 = .now }
                            return value
                        }
                    })
            }
            let accepted = state.withLock { state -> Bool in
                guard !state.stopped, state.jobs.count < queueLimit else { return false }
                state.jobs.append(job)
                return true
            }
            guard accepted else { return once.resume(throwing: Failure.overloaded) }
            wake.lock(); wake.signal(); wake.unlock()
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout.seconds) {
                once.resume(throwing: Failure.timedOut)
            }
        }
    }

    /// Whether PostgreSQL answers with LiveGate's schema: yes at once when a query succeeded in the last 5 s
    /// (so a busy pool does not make every replica unready together), else one query through the pool.
    public func ready() async -> Bool {
        if let last = lastAnswer.withLock({ $0 }), ContinuousClock.now - last < .seconds(5) { return true }
        return
            (try? await run { connection in
                try connection.query("SELECT 1 FROM tenants LIMIT 1")
                return true
            }) ?? false
    }

    /// Lets the threads finish: queued jobs still run (or time out), then each thread ends.
    public func shutdown() {
        state.withLock { $0.stopped = true }
        wake.lock(); wake.broadcast(); wake.unlock()
    }

    private func serve() {
        var connection: PostgresConnection?
        var lastFailure: (at: ContinuousClock.Instant, error: Error)?
        while let job = next() {
            guard ContinuousClock.now < job.deadline, !job.abandoned() else {
                job.run(.failure(Failure.timedOut))
                continue
            }
            if let live = connection, live.isHealthy {
                job.run(.success(live))
                continue
            }
            connection = nil
            if let failure = lastFailure, ContinuousClock.now - failure.at < Self.connectBackoff {
                job.run(.failure(failure.error))
                continue
            }
            do {
                let live = try connect()
                connection = live
                lastFailure = nil
                // The connect may have taken most of the deadline: run only for a caller still waiting.
                job.run(job.abandoned() ? .failure(Failure.timedOut) : .success(live))
            } catch {
                lastFailure = (.now, error)
                job.run(.failure(error))
            }
        }
    }

    private func next() -> Job? {
        wake.lock()
        defer { wake.unlock() }
        while true {
            let (job, stopped) = state.withLock { state -> (Job?, Bool) in
                state.jobs.isEmpty ? (nil, state.stopped) : (state.jobs.removeFirst(), false)
            }
            if let job { return job }
            if stopped { return nil }
            wake.wait(until: Date().addingTimeInterval(1))
        }
    }

    private func connect() throws -> PostgresConnection {
        let connection = try LedgerStore.connect(url, connectTimeoutSeconds: Int(timeout.seconds.rounded(.up)))
        try connection.query("SELECT set_config('statement_timeout', $1, false)", [String(Int(timeout.seconds * 1000))])
        try connection.query("SET default_transaction_read_only = on")
        return connection
    }
}

/// Resumes a continuation once: the first of the answer and the deadline wins.
private final class Once<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T, Error>?>

    init(_ continuation: CheckedContinuation<T, Error>) { self.continuation = Mutex(continuation) }

    var isResumed: Bool { continuation.withLock { $0 == nil } }

    func resume(with result: Result<T, Error>) {
        continuation.withLock { taken -> CheckedContinuation<T, Error>? in
            defer { taken = nil }
            return taken
        }?.resume(with: result)
    }

    func resume(throwing error: Error) { resume(with: .failure(error)) }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}
