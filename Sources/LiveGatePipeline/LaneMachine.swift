import Kafka

/// The whole life of one lane as a pure state machine, in the style of postgres-nio's connection state
/// machine: waiting for PostgreSQL, joining the group, each turn (heartbeat, lag, poll), a refused commit and
/// its carry-over, every batch (apply, isolate, publish, commit, retries, the deadline), the end of a session
/// and of the lane. Each event is a `mutating func` that switches on the state and returns the one action to
/// perform; an event the state does not expect is a `preconditionFailure`. No I/O, no locks, no clock: the
/// time comes in with the events that need it, from a monotonic clock. `WorkerLoop` performs the actions and
/// reports their results, failures included; tests feed events and compare actions.
///
/// The guarantees it keeps: a batch is applied, then published, then committed, in that order only, so a
/// crash anywhere repeats work but loses none; a failed publish is retried alone; past the batch deadline
/// the lane leaves the group uncommitted and joins again once PostgreSQL answers; a lane holds no partitions
/// while PostgreSQL does not answer; a commit the group refused is carried over and made once the group has
/// settled, for the partitions still held; a stop is honoured between attempts.
///
///     idle → connecting ⇄ waitingForStore → joining → inGroup ⇄ batch
///                ↑                                       ↓        ↓
///                └──── (stalled) ──────────────────── ending ←────┘ → done | failed
struct LaneMachine {
    /// A member of the live group, or a reader of a fixed range outside any group (a replay): it sends no
    /// heartbeat, reports no lag and commits no offsets.
    enum Role: Equatable { case member, reader }

    /// The bounds the machine keeps, in monotonic nanoseconds.
    struct Timing: Equatable {
        /// Longest a batch is retried before the lane leaves the group (`effectiveBatchDeadlineSeconds`).
        var batchDeadlineNanos: UInt64
        /// Between two heartbeats, and between two lag reports.
        var heartbeatNanos: UInt64 = 5_000_000_000

        init(batchDeadlineSeconds: Double, heartbeatSeconds: Double = 5) {
            batchDeadlineNanos = UInt64(batchDeadlineSeconds * 1e9)
            heartbeatNanos = UInt64(heartbeatSeconds * 1e9)
        }
    }

    /// What one poll saw: the offset after the last record of each partition it returned, whether the
    /// group took partitions away during the call, and the group as it stands after it.
    struct Poll: Equatable {
        var nextOffsets: [TopicPartition: Int64]
        var revokedDuringPoll = false
        var owned: Set<TopicPartition>
        var isGroupMember: Bool
    }

    /// Why a session ends.
    enum Ending: Equatable {
        /// A batch passed its deadline: leave, uncommitted, and join again once PostgreSQL answers.
        case stalled
        /// A stop was requested.
        case stopped
        /// The lane cannot go on (a broken invariant, a fatal consumer, a group it cannot join).
        case failed
        /// A reader read its whole range.
        case finished
    }

    enum Action: Equatable {
        /// Open a new PostgreSQL connection; report `storeConnected` or `storeConnectFailed`.
        case connectStore(attempt: Int)
        /// Sleep the backoff after this many failures (jittered by the executor, interruptible by a stop);
        /// report `waited` or `stopRequested`.
        case wait(afterFailures: Int)
        /// Create the consumer (subscribed, or assigned the reader's range) and the producer; report `joined`
        /// or `joinFailed`.
        case joinGroup
        /// A turn begins: report `turn(at:)`, or `stopRequested` if one was.
        case turn
        /// Tell ops tools this lane is alive; report `heartbeatSucceeded` or `heartbeatFailed`.
        case heartbeat
        /// Replace the PostgreSQL connection; report `storeReconnected` or `storeReconnectFailed`.
        case reconnectStore
        /// Report each owned partition's lag; report `lagReported`.
        case reportLag
        /// Poll a batch; report `polled` or `pollFailed`.
        case poll
        /// Commit offsets a refusal left, for partitions still held; report `offsetsCommitted` or
        /// `commitRefused`.
        case commitCarryOver([TopicPartition: Int64])
        /// Decode the records polled, without those of `dropping` (revoked during the poll: their new owner
        /// reads them from the committed offset); report `decoded(at:)`.
        case decode(dropping: Set<TopicPartition>)
        /// Apply the batch in one transaction; report `applied` or `applyFailed`.
        case apply
        /// Apply with `RecordIsolation`: halves until the refused records fail alone.
        case isolate
        /// Publish every output and wait for the acknowledgements; report `published` or `publishFailed`.
        case publish
        /// Replace the producer; report `producerReplaced` or `producerReplaceFailed`.
        case replaceProducer
        /// Commit the batch's offsets (with any carried over); report `offsetsCommitted` or `commitRefused`.
        case commitBatch([TopicPartition: Int64])
        /// A reader's batch is done (nothing to commit); report `batchFinished`.
        case finishBatch
        /// Close the consumer (a dynamic member leaves the group, so others take its partitions at once; a
        /// static one keeps them until `session.timeout.ms`) and the producer;
        /// report `sessionClosed`.
        case leaveGroup(Ending)
        /// Remove this lane's heartbeat row: it stopped cleanly; report `memberForgotten`.
        case forgetMember
        /// The lane is done.
        case exit
        /// The lane is done with the failure the executor saw: rethrow it.
        case fail
    }

    enum State: Equatable {
        case idle
        case connecting(attempt: Int)
        case waitingForStore(attempt: Int)
        case joining
        case inGroup(Turn)
        case batch(Batch)
        case ending(Ending, EndStep)
        case done
        case failed
    }

    /// Where a turn between batches is.
    enum Turn: Equatable {
        /// Waiting for `turn(at:)`.
        case ready
        case beating(at: UInt64)
        /// A new connection after a heartbeat refused on a connection that cannot recover.
        case reconnecting(at: UInt64)
        case reportingLag
        case polling
        /// Committing what an earlier refusal left before the batch `pending` starts.
        case committingCarryOver([TopicPartition: Int64], pending: Poll)
    }

    enum EndStep: Equatable { case committingCarryOver, closing, forgetting }

    let role: Role
    let timing: Timing
    // The stored properties below are changed only by the machine's own events, in LaneMachine*.swift
    // (extensions in other files cannot reach a `private(set)` setter); executors read them.
    var state: State = .idle
    /// Offsets past answered records whose commit the group refused (it was rebalancing); resumed from, and
    /// committed, once this lane holds those partitions in a settled group; dropped for partitions moved away
    /// (their new owner reads them again, answered from the store).
    var carryOver: [TopicPartition: Int64] = [:]
    /// The group as the last poll left it. Rebalances run inside `poll` only, so this is the group until the next.
    var owned: Set<TopicPartition> = []
    var isGroupMember = false
    /// Whether a PostgreSQL connection was ever opened (a stop then removes the heartbeat row it wrote).
    var storeOpened = false
    var lastBeat: UInt64?
    var lastLag: UInt64?

    init(role: Role = .member, timing: Timing) {
        self.role = role
        self.timing = timing
    }

    // MARK: Waiting for PostgreSQL and joining

    /// The lane starts: PostgreSQL first, so a lane that cannot apply holds no partitions.
    mutating func start() -> Action {
        guard case .idle = state else { preconditionFailure("start() in \(state)") }
        state = .connecting(attempt: 1)
        return .connectStore(attempt: 1)
    }

    mutating func storeConnected() -> Action {
        guard case .connecting = state else { preconditionFailure("storeConnected() in \(state)") }
        storeOpened = true
        state = .joining
        return .joinGroup
    }

    mutating func storeConnectFailed() -> Action {
        guard case let .connecting(attempt) = state else { preconditionFailure("storeConnectFailed() in \(state)") }
        state = .waitingForStore(attempt: attempt)
        return .wait(afterFailures: attempt)
    }

    mutating func joined() -> Action {
        guard case .joining = state else { preconditionFailure("joined() in \(state)") }
        // A new member holds nothing until the group assigns it; earlier refusals are its new owners' to read.
        carryOver = [:]
        owned = []
        isGroupMember = false
        state = .inGroup(.ready)
        return .turn
    }

    mutating func joinFailed() -> Action {
        guard case .joining = state else { preconditionFailure("joinFailed() in \(state)") }
        state = .failed
        return .fail
    }

    /// The backoff passed: try again what failed.
    mutating func waited() -> Action {
        switch state {
        case let .waitingForStore(attempt):
            state = .connecting(attempt: attempt + 1)
            return .connectStore(attempt: attempt + 1)
        case let .batch(batch):
            return retried(batch)
        default:
            preconditionFailure("waited() in \(state)")
        }
    }

    /// A stop was requested: seen before connecting, at a turn, or during a backoff. A batch being retried is
    /// left uncommitted for its next reader.
    mutating func stopRequested() -> Action {
        switch state {
        case .connecting, .waitingForStore:
            // Only a member that once connected wrote a heartbeat row to remove; a reader writes none.
            let forget = storeOpened && role == .member
            state = forget ? .ending(.stopped, .forgetting) : .done
            return forget ? .forgetMember : .exit
        case .inGroup(.ready):
            return end(.stopped)
        case let .batch(batch) where batch.isWaiting:
            return end(.stopped)
        default:
            preconditionFailure("stopRequested() in \(state)")
        }
    }
}
