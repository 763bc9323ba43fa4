import Kafka

/// One batch, from decode to commit: apply, then publish, then commit, in that order only. Failures that may
/// pass are retried with backoff (a new PostgreSQL connection first when the old one cannot recover, a new
/// producer when the old one lost its guarantees) until the batch deadline; past it the lane leaves the
/// group uncommitted. Records PostgreSQL refuses are isolated; a broken invariant stops the lane.
extension LaneMachine {
    /// Why applying failed, as `FailureTable` classified it.
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

    struct Batch: Equatable {
        enum Step: Equatable {
            case decoding, applying, publishing, committing, finishing, reconnecting, replacingProducer
            /// In the backoff before `Retry`.
            case waiting(Retry)
        }

        /// What a retry goes back to.
        enum Retry: Equatable { case apply, publish, reconnect, replaceProducer }

        var step = Step.decoding
        /// Failures of this batch so far.
        var failures = 0
        var deadlineNanos: UInt64 = 0
        /// One past the last record of each partition in the batch.
        let offsets: [TopicPartition: Int64]
        /// What the batch's commit carries: its offsets and any carried over.
        var commitOffsets: [TopicPartition: Int64] = [:]

        init(offsets: [TopicPartition: Int64]) { self.offsets = offsets }

        var isWaiting: Bool { if case .waiting = step { true } else { false } }
    }

    /// Failures of the batch in flight (0 between batches), for the executor's log lines.
    var batchFailures: Int {
        if case let .batch(batch) = state { batch.failures } else { 0 }
    }

    /// The batch in flight, at `step`; an event in any other state is a bug in the executor.
    func inFlight(at step: Batch.Step, _ event: String) -> Batch {
        guard case let .batch(batch) = state, batch.step == step else { preconditionFailure("\(event) in \(state)") }
        return batch
    }

    /// The batch is decoded at `now`: its deadline starts.
    mutating func decoded(at now: UInt64) -> Action {
        var batch = inFlight(at: .decoding, "decoded(at:)")
        batch.deadlineNanos = now &+ timing.batchDeadlineNanos
        batch.step = .applying
        state = .batch(batch)
        return .apply
    }

    mutating func applied() -> Action {
        var batch = inFlight(at: .applying, "applied()")
        batch.step = .publishing
        state = .batch(batch)
        return .publish
    }

    mutating func applyFailed(_ failure: ApplyFailure, at now: UInt64) -> Action {
        let batch = inFlight(at: .applying, "applyFailed")
        switch failure {
        case .refusesData:
            return .isolate  // still applying: isolation reports applied or failed in turn, and is no failed attempt
        case .brokenInvariant:
            return end(.failed)
        case let .transient(needsNewConnection):
            return retry(batch, needsNewConnection ? .reconnect : .apply, at: now)
        case .refusesEveryBatch:
            return retry(batch, .apply, at: now)
        }
    }

    /// The outputs are durable: a member commits, a reader is done.
    mutating func published() -> Action {
        var batch = inFlight(at: .publishing, "published()")
        guard role == .member else {
            batch.step = .finishing
            state = .batch(batch)
            return .finishBatch
        }
        batch.step = .committing
        batch.commitOffsets = carryOver.merging(batch.offsets) { max($0, $1) }
        state = .batch(batch)
        return .commitBatch(batch.commitOffsets)
    }

    /// Publishing failed: the store already committed, so only the publish is tried again.
    mutating func publishFailed(_ failure: PublishFailure, at now: UInt64) -> Action {
        let batch = inFlight(at: .publishing, "publishFailed")
        return retry(batch, failure == .fatalProducer ? .replaceProducer : .publish, at: now)
    }

    mutating func producerReplaced() -> Action {
        let batch = inFlight(at: .replacingProducer, "producerReplaced()")
        return backOff(batch, then: .publish)
    }

    /// No new producer could be made: a failure like any other, and the replacement is tried again.
    mutating func producerReplaceFailed(at now: UInt64) -> Action {
        let batch = inFlight(at: .replacingProducer, "producerReplaceFailed(at:)")
        return retry(batch, .replaceProducer, at: now)
    }

    /// Counts the failure, and either gives up (deadline passed) or goes on with `next`: a first reconnect or
    /// new producer at once, anything else after the backoff.
    mutating func retry(_ batch: Batch, _ next: Batch.Retry, at now: UInt64) -> Action {
        var batch = batch
        batch.failures += 1
        guard now < batch.deadlineNanos else {
            state = .batch(batch)
            return end(.stalled)
        }
        switch next {
        case .reconnect where batch.step != .reconnecting, .replaceProducer where batch.step != .replacingProducer:
            state = .batch(batch)
            return retried(batch, next)
        case .apply, .publish, .reconnect, .replaceProducer:
            // A reconnect or a replacement that itself failed waits the backoff first: no hot loop against a
            // server that refuses at once.
            return backOff(batch, then: next)
        }
    }

    /// Waits the backoff before `next`.
    mutating func backOff(_ batch: Batch, then next: Batch.Retry) -> Action {
        var batch = batch
        batch.step = .waiting(next)
        state = .batch(batch)
        return .wait(afterFailures: batch.failures)
    }

    /// The backoff passed (or none was due): the step to try again.
    mutating func retried(_ batch: Batch, _ step: Batch.Retry? = nil) -> Action {
        var batch = batch
        guard let next = step ?? { if case let .waiting(r) = batch.step { r } else { nil } }() else {
            preconditionFailure("waited() outside a wait: \(batch.step)")
        }
        let action: Action
        (batch.step, action) =
            switch next {
            case .apply: (.applying, .apply)
            case .publish: (.publishing, .publish)
            case .reconnect: (.reconnecting, .reconnectStore)
            case .replaceProducer: (.replacingProducer, .replaceProducer)
            }
        state = .batch(batch)
        return action
    }
}
