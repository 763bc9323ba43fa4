/// The life of one polled batch, from apply to commit, as a pure state machine in the style of postgres-nio's
/// connection state machine: each event is a `mutating func` that returns the action to perform; no I/O, no
/// locks, no clock (the time of each event comes in as an argument, from a monotonic clock). `WorkerLoop`
/// executes the actions and reports back; tests feed events and compare actions.
///
/// The rules: a batch is applied, then its outputs are published, then its offsets are committed, in that
/// order and only that order, so a crash anywhere repeats work but loses none. Failures that may pass are
/// retried with backoff (a new PostgreSQL connection first when the old one cannot recover; a new producer
/// when the old one lost its guarantees) until the batch deadline, after which the worker leaves the group so
/// that healthy workers take its partitions. Records PostgreSQL refuses are isolated; a broken invariant
/// stops the worker. A stop request is honoured between attempts; a batch left unfinished is left
/// uncommitted for its next reader.
struct BatchLifecycle {
    /// Why applying failed, as the executor classified it.
    enum ApplyFailure: Equatable {
        /// Connection trouble, a lost race, a timeout, a read-only server: retry. `needsNewConnection` when only
        /// a new connection mends it (broken, or on a server that turned read-only).
        case transient(needsNewConnection: Bool)
        /// PostgreSQL refused what the batch holds: find the records that fail alone.
        case refusesData
        /// PostgreSQL refuses every batch alike (a missing table, a revoked privilege): retry like an outage.
        case refusesEveryBatch
        /// A record broke a store invariant on its own.
        case brokenInvariant
    }

    /// Why publishing failed.
    enum PublishFailure: Equatable {
        /// Brokers down or refusing: retry with the same producer.
        case transient
        /// The idempotent producer lost its guarantees (a fatal error): replace it, then retry.
        case fatalProducer
    }

    enum Action: Equatable {
        case apply
        /// Apply with `RecordIsolation`: halves until the refused records fail alone.
        case isolate
        case publish
        case commit
        /// Open a new PostgreSQL connection, then report `reconnected`.
        case reconnect
        /// Replace the producer, then report `producerReplaced`.
        case replaceProducer
        /// Sleep the backoff after this many failures (jittered by the executor, so the machine stays
        /// deterministic; interruptible by a stop request), then report `waited` or `stopRequested`.
        case wait(afterFailures: Int)
        /// The batch deadline passed: leave the group, uncommitted, and rejoin once PostgreSQL answers.
        case leaveGroup
        /// Stop the worker with an error (a broken invariant): the process exits non-zero.
        case exit
        /// The batch is done (committed, or its commit failed harmlessly): poll the next one.
        case done
        /// A stop was requested while retrying: return without committing.
        case stop
    }

    enum State: Equatable {
        case idle
        case applying
        case publishing
        case committing
        /// Between two attempts of `step` (the backoff, or a reconnect first).
        case waiting(step: Step)
        case finished
    }

    /// What a retry goes back to.
    enum Step: Equatable { case apply, publish }

    private(set) var state: State = .idle
    /// Failures of this batch so far.
    private(set) var failures = 0
    private var deadlineNanos: UInt64 = 0
    let deadlineSeconds: Double

    /// `deadlineSeconds` must lie well inside the consumer's `max.poll.interval.ms`, so the group never waits
    /// on a stuck worker.
    init(deadlineSeconds: Double) {
        self.deadlineSeconds = deadlineSeconds
    }

    /// A batch arrived at `now` (monotonic nanoseconds): its deadline starts.
    mutating func polled(at now: UInt64) -> Action {
        precondition(state == .idle || state == .finished, "a batch is already in flight")
        state = .applying
        failures = 0
        deadlineNanos = now &+ UInt64(deadlineSeconds * 1e9)
        return .apply
    }

    mutating func applied() -> Action {
        state = .publishing
        return .publish
    }

    mutating func applyFailed(_ failure: ApplyFailure, at now: UInt64) -> Action {
        switch failure {
        case .refusesData:
            return .isolate  // still applying; isolation reports applied or failed in turn
        case .brokenInvariant:
            state = .finished
            return .exit
        case let .transient(needsNewConnection):
            return retry(.apply, at: now, first: needsNewConnection ? .reconnect : nil)
        case .refusesEveryBatch:
            return retry(.apply, at: now, first: nil)
        }
    }

    mutating func published() -> Action {
        state = .committing
        return .commit
    }

    mutating func publishFailed(_ failure: PublishFailure, at now: UInt64) -> Action {
        retry(.publish, at: now, first: failure == .fatalProducer ? .replaceProducer : nil)
    }

    /// Committed, or the commit failed: either way the batch is done (outputs are durable; a batch read again
    /// is answered from the store, byte for byte).
    mutating func committed() -> Action {
        state = .finished
        return .done
    }

    /// After `reconnect` or `replaceProducer`: wait the backoff before trying again.
    mutating func reconnected() -> Action { .wait(afterFailures: failures) }

    mutating func producerReplaced() -> Action { .wait(afterFailures: failures) }

    /// The backoff passed: try the failed step again.
    mutating func waited() -> Action {
        guard case let .waiting(step) = state else { preconditionFailure("waited() outside a wait: \(state)") }
        switch step {
        case .apply:
            state = .applying
            return .apply
        case .publish:
            state = .publishing
            return .publish
        }
    }

    mutating func stopRequested() -> Action {
        state = .finished
        return .stop
    }

    /// Counts the failure, and either gives up (deadline passed) or goes to `first` (if any) and the backoff.
    private mutating func retry(_ step: Step, at now: UInt64, first: Action?) -> Action {
        failures += 1
        guard now < deadlineNanos else {
            state = .finished
            return .leaveGroup
        }
        state = .waiting(step: step)
        return first ?? .wait(afterFailures: failures)
    }
}
