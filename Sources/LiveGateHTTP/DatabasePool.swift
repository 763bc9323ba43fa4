import Foundation
import LiveGateStore
import Postgres
import Synchronization

/// PostgreSQL for `livegate serve`: libpq is blocking, so each of `size` threads owns one connection and
/// runs queries off the Swift concurrency pool. Bounded everywhere: at most `size` queries run and
/// `queueLimit` wait; a job still waiting at its deadline is dropped unrun; the caller's wait ends at the
/// deadline whether or not the query has (the statement timeout ends the query soon after).
public final class DatabasePool: Sendable {
    public enum Failure: Error, Equatable {
        /// Every thread is busy and the queue is full: answer 503 at once.
        case overloaded
        /// The deadline passed before the answer came.
        case timedOut
    }

    private struct Job: Sendable {
        let deadline: ContinuousClock.Instant
        let run: @Sendable (Result<PostgresConnection, Error>) -> Void
    }

    private struct State {
        var jobs: [Job] = []
        var stopped = false
    }

    private let url: String
    private let statementTimeoutMillis: Int
    private let queueLimit: Int
    private let state = Mutex(State())
    private let wake = NSCondition()

    public init(url: String, size: Int, queueLimit: Int, statementTimeoutMillis: Int) {
        self.url = url
        self.queueLimit = queueLimit
        self.statementTimeoutMillis = statementTimeoutMillis
        for index in 0..<size {
            let thread = Thread { [self] in serve() }
            thread.name = "livegate-db-\(index)"
            thread.start()
        }
    }

    /// Runs `body` on a pooled connection and returns its result, or throws `Failure` or what `body` threw.
    public func run<T: Sendable>(timeout: Duration,
                                 _ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            let once = Once(continuation)
            let job = Job(deadline: deadline) { connection in
                once.resume(with: connection.flatMap { connection in Result { try body(connection) } })
            }
            let accepted = state.withLock { state -> Bool in
                guard !state.stopped, state.jobs.count < queueLimit else { return false }
                state.jobs.append(job)
                return true
            }
            guard accepted else { return once.resume(throwing: Failure.overloaded) }
            wake.lock(); wake.signal(); wake.unlock()
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout.seconds) { once.resume(throwing: Failure.timedOut) }
        }
    }

    /// Lets the threads finish: queued jobs still run (or time out), then each thread ends.
    public func shutdown() {
        state.withLock { $0.stopped = true }
        wake.lock(); wake.broadcast(); wake.unlock()
    }

    private func serve() {
        var connection: PostgresConnection?
        while let job = next() {
            guard ContinuousClock.now < job.deadline else {
                job.run(.failure(Failure.timedOut))
                continue
            }
            do {
                let live = try connection.flatMap { $0.isHealthy ? $0 : nil } ?? connect()
                connection = live
                job.run(.success(live))
            } catch {
                connection = nil
                job.run(.failure(error))  // PostgreSQL unreachable: the next job tries again
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
        let connection = try PostgresConnection(url: url)
        try connection.query("SELECT set_config('statement_timeout', $1, false)", [String(statementTimeoutMillis)])
        try connection.query("SET default_transaction_read_only = on")
        return connection
    }

    /// Whether PostgreSQL answers, with LiveGate's schema, within `timeout`.
    public func ready(timeout: Duration) async -> Bool {
        (try? await run(timeout: timeout) { connection in
            try connection.query("SELECT 1 FROM tenants LIMIT 1")
            return true
        }) ?? false
    }
}

/// Resumes a continuation once: the first of the answer and the deadline wins.
private final class Once<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T, Error>?>

    init(_ continuation: CheckedContinuation<T, Error>) { self.continuation = Mutex(continuation) }

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
