import Foundation
import LiveGateCore
import Synchronization

/// Why a posted input was not (known to be) published: the answer is 503, and a retry with the same
/// `event_id` is safe (the workers answer a repeat from the store).
public enum PublishFailure: Error, Sendable, Equatable {
    /// The publish queue is full.
    case overloaded
    /// The server is stopping.
    case stopped
    /// Kafka refused or failed the record.
    case kafka(String)
    /// No acknowledgement came within the time the request had.
    case notAcknowledged
}

/// Requests waiting for the verdict of an event they publish, by tenant and `event_id` (the idempotency key,
/// contract v1.2: the same `event_id` under two tenants is two events). A request registers before it
/// publishes (a verdict that arrives before the request starts waiting is kept for it), then waits a bounded
/// time. At most `capacity` requests wait at once: memory stays bounded whatever callers do, and the one past
/// the bound is told to come back (503) instead of queueing. Any number of requests may wait on one id
/// (a client retrying while its first call still waits): one verdict completes them all.
public final class VerdictWaiters: Sendable {
    /// How a wait ended.
    public enum Outcome: Sendable, Equatable {
        /// The verdict's bytes as the topic carries them (200).
        case verdict([UInt8])
        /// Published, no verdict within the wait (202).
        case pending
        /// Not published, or not acknowledged in time (503).
        case unpublished(PublishFailure)
        /// The pipeline dead-lettered this very body instead of deciding it: `error` is the dead letter's
        /// (`idempotency_conflict`: the `event_id` was used before for other content; its verdict stands).
        case refused(error: String, message: String)
    }

    /// One registered request. Four things can happen to it, in any order: its verdict arrives, its publish
    /// is settled (acknowledged or failed), its wait for a verdict runs out, its time for the publish runs
    /// out. `decide` says when that is enough to answer.
    public final class Ticket: Sendable {
        struct State {
            var verdict: [UInt8]?
            var refusal: (error: String, message: String)?
            var published: Result<Void, PublishFailure>?
            var verdictWaitOver = false
            var publishTimeOver = false
            var waiting: CheckedContinuation<Outcome, Never>?
            var answered = false

            /// The answer, once there is one: a verdict wins; then a failed publish; a published input whose
            /// wait is over is pending; an input still not acknowledged when its time is over is unpublished.
            var decision: Outcome? {
                if let verdict { return .verdict(verdict) }
                if let refusal { return .refused(error: refusal.error, message: refusal.message) }
                switch published {
                case let .failure(failure)?: return .unpublished(failure)
                case .success?: return verdictWaitOver ? .pending : nil
                case nil: return publishTimeOver ? .unpublished(.notAcknowledged) : nil
                }
            }
        }

        let key: Key
        /// The SHA-256 (hex) of the bytes the request publishes: a dead letter names its input by it. Only the
        /// digest is kept, so a waiting request holds 64 bytes of its body, not up to a megabyte.
        let bodySHA256: String?
        /// The canonical input's SHA-256, which its verdict carries.
        let fingerprint: String?
        let number: UInt64
        private let state = Mutex(State())

        fileprivate init(key: Key, bodySHA256: String?, fingerprint: String?, number: UInt64) {
            self.key = key
            self.bodySHA256 = bodySHA256
            self.fingerprint = fingerprint
            self.number = number
        }

        /// The publish of this request's input is settled.
        public func published(_ result: Result<Void, PublishFailure>) {
            update { if $0.published == nil { $0.published = result } }
        }

        fileprivate func deliver(_ verdict: [UInt8]) { update { if $0.verdict == nil { $0.verdict = verdict } } }
        fileprivate func refuse(_ error: String, _ message: String) {
            update { if $0.refusal == nil { $0.refusal = (error, message) } }
        }
        fileprivate func verdictWaitOver() { update { $0.verdictWaitOver = true } }
        fileprivate func publishTimeOver() { update { $0.publishTimeOver = true } }

        /// Resumes `continuation` with the outcome, at once if it is decided, else when it is. Not itself
        /// async: a waiting call holds one async frame less (each is about a kilobyte of task memory).
        fileprivate func answer(_ continuation: CheckedContinuation<Outcome, Never>) {
            let ready = state.withLock { state -> Outcome? in
                if let decision = state.decision, !state.answered {
                    state.answered = true
                    return decision
                }
                state.waiting = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }

        private func update(_ change: (inout State) -> Void) {
            let resume = state.withLock { state -> (CheckedContinuation<Outcome, Never>, Outcome)? in
                change(&state)
                guard let waiting = state.waiting, let decision = state.decision else { return nil }
                state.waiting = nil
                state.answered = true
                return (waiting, decision)
            }
            if let (waiting, decision) = resume { waiting.resume(returning: decision) }
        }
    }

    /// A deadline of a waiting ticket: its verdict wait ends, then (if later) its time for the publish.
    private struct Deadline {
        let ticket: Ticket
        let publishOnly: Bool
        let publishDeadline: ContinuousClock.Instant
    }

    /// A tenant and an event id, by their bytes: two ids Swift would call equal (NFC and NFD forms) are two
    /// events, as in the ledger.
    struct Key: Hashable, Sendable {
        let tenant: ByteID
        let event: ByteID

        init(tenantId: String, eventId: String) {
            tenant = ByteID(tenantId)
            event = ByteID(eventId)
        }
    }

    private struct State {
        var byKey: [Key: [UInt64: Ticket]] = [:]
        var count = 0
        var next: UInt64 = 0
        var deadlines: DeadlineWheel<Deadline>
    }

    public let capacity: Int
    private let state: Mutex<State>
    /// How often deadlines are checked: a wait ends up to two ticks (its slot rounded up, then the sweep)
    /// and the thread's wake-up late.
    static let tick = Duration.milliseconds(5)

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
        state = Mutex(State(deadlines: DeadlineWheel(slot: Self.tick, origin: .now)))
        // One thread ends every wait that runs out, instead of a timer per request (measured: a sleeping
        // task per call, cancelled when its verdict came, cost serve about 15 % of its CPU at 250 calls/s).
        Thread { [weak self] in
            while let waiters = self {
                waiters.expire(at: .now)
                usleep(UInt32(Self.tick / .microseconds(1)))
            }
        }.start()
    }

    /// Hands every deadline that has passed to its ticket.
    private func expire(at now: ContinuousClock.Instant) {
        let due = state.withLock { state -> [Deadline] in
            let due = state.deadlines.due(at: now)
            for deadline in due where deadline.publishDeadline > now {
                state.deadlines.insert(
                    Deadline(ticket: deadline.ticket, publishOnly: true, publishDeadline: deadline.publishDeadline),
                    id: deadline.ticket.number, at: deadline.publishDeadline)
            }
            return due
        }
        for deadline in due {
            if !deadline.publishOnly { deadline.ticket.verdictWaitOver() }
            if deadline.publishDeadline <= now { deadline.ticket.publishTimeOver() }
        }
    }

    /// Requests waiting now.
    public var count: Int { state.withLock { $0.count } }

    /// A ticket for `eventId` of `tenantId`, whose input's bytes have SHA-256 `bodySHA256` and whose canonical
    /// input has SHA-256 `fingerprint`, or nil when `capacity` requests already wait.
    public func register(tenantId: String, eventId: String, bodySHA256: String? = nil, fingerprint: String? = nil)
        -> Ticket?
    {
        let key = Key(tenantId: tenantId, eventId: eventId)
        return state.withLock { state -> Ticket? in
            guard state.count < capacity else { return nil }
            state.next += 1
            let ticket = Ticket(key: key, bodySHA256: bodySHA256, fingerprint: fingerprint, number: state.next)
            state.byKey[key, default: [:]][ticket.number] = ticket
            state.count += 1
            return ticket
        }
    }

    /// A verdict read from the topic (its record key is the tenant): completes every request waiting for its
    /// tenant and `event_id` whose input it answers. `answering` is the fingerprint the verdict carries: a request that sent other content under
    /// the same id is not given this verdict (its own answer is the dead letter, 409). A verdict without one
    /// (from a worker that predates it) goes to every request of the id.
    public func deliver(tenantId: String, eventId: String, verdict: [UInt8], answering: String? = nil) {
        let tickets = self.tickets(Key(tenantId: tenantId, eventId: eventId))
        for ticket in tickets where answering == nil || ticket.fingerprint == nil || ticket.fingerprint == answering {
            ticket.deliver(verdict)
        }
    }

    /// A dead letter of an input: completes the requests waiting for its tenant and `event_id` whose body it
    /// is (by the SHA-256 the dead letter carries). Another request of the same id with other bytes (the
    /// first, a retry of it) is not refused by it.
    public func refuse(tenantId: String, eventId: String, valueSHA256: String, error: String, message: String) {
        for ticket in tickets(Key(tenantId: tenantId, eventId: eventId)) where ticket.bodySHA256 == valueSHA256 {
            ticket.refuse(error, message)
        }
    }

    private func tickets(_ key: Key) -> [Ticket] { state.withLock { $0.byKey[key].map { Array($0.values) } ?? [] } }

    /// Waits for the ticket's outcome: its verdict, or once `verdictWait` is over, `pending` if its input was
    /// published; an input not acknowledged within `publishTime` (at least `verdictWait`) is `unpublished`.
    /// Then lets the ticket go (it is not reusable).
    public func wait(_ ticket: Ticket, verdictWait: Duration, publishTime: Duration) async -> Outcome {
        let now = ContinuousClock.now
        let publishDeadline = now + max(verdictWait, publishTime)
        let waitsForVerdict = verdictWait > .zero
        state.withLock {
            $0.deadlines.insert(
                Deadline(ticket: ticket, publishOnly: !waitsForVerdict, publishDeadline: publishDeadline),
                id: ticket.number, at: waitsForVerdict ? now + verdictWait : publishDeadline)
        }
        if !waitsForVerdict { ticket.verdictWaitOver() }  // wait_ms=0: pending as soon as the publish is acknowledged
        let outcome = await withCheckedContinuation { ticket.answer($0) }
        release(ticket)
        return outcome
    }

    /// Lets a ticket go without waiting.
    public func release(_ ticket: Ticket) {
        state.withLock { state in
            state.deadlines.remove(ticket.number)
            guard state.byKey[ticket.key]?.removeValue(forKey: ticket.number) != nil else { return }
            if state.byKey[ticket.key]?.isEmpty == true { state.byKey[ticket.key] = nil }
            state.count -= 1
        }
    }
}
