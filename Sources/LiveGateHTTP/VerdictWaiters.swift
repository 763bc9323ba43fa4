import Synchronization

/// Requests waiting for the verdict of an event they published, by `event_id`. A request registers before it
/// publishes (a verdict that arrives before the request starts waiting is kept for it), then waits a bounded
/// time. At most `capacity` requests wait at once: memory stays bounded whatever callers do, and the one past
/// the bound is told to come back (503) instead of queueing. Any number of requests may wait on one id
/// (a client retrying while its first call still waits): one verdict completes them all.
public final class VerdictWaiters: Sendable {
    /// One registered request: holds the verdict once it arrives, and the waiting task until then.
    public final class Ticket: Sendable {
        let eventId: String
        fileprivate let number: UInt64
        private let state = Mutex<(verdict: [UInt8]?, waiting: CheckedContinuation<[UInt8]?, Never>?, done: Bool)>(
            (nil, nil, false))

        fileprivate init(eventId: String, number: UInt64) {
            self.eventId = eventId
            self.number = number
        }

        /// The verdict, at once if it is already here, else when it arrives or `nil` when `finish` comes first.
        fileprivate func value() async -> [UInt8]? {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> [UInt8]?? in
                    if state.done || state.verdict != nil { return .some(state.verdict) }
                    state.waiting = continuation
                    return .none
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }

        /// Hands the verdict over (only the first one counts).
        fileprivate func deliver(_ verdict: [UInt8]) {
            let waiting = state.withLock { state -> CheckedContinuation<[UInt8]?, Never>? in
                guard !state.done, state.verdict == nil else { return nil }
                state.verdict = verdict
                defer { state.waiting = nil }
                return state.waiting
            }
            waiting?.resume(returning: verdict)
        }

        /// Ends the wait: whoever waits gets what is here (the verdict, or nil).
        fileprivate func finish() {
            let (waiting, verdict) = state.withLock { state -> (CheckedContinuation<[UInt8]?, Never>?, [UInt8]?) in
                state.done = true
                defer { state.waiting = nil }
                return (state.waiting, state.verdict)
            }
            waiting?.resume(returning: verdict)
        }
    }

    public let capacity: Int
    private let state = Mutex<(byId: [String: [UInt64: Ticket]], count: Int, next: UInt64)>(([:], 0, 0))

    public init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Requests waiting now.
    public var count: Int { state.withLock { $0.count } }

    /// A ticket for `eventId`, or nil when `capacity` requests already wait.
    public func register(_ eventId: String) -> Ticket? {
        state.withLock { state -> Ticket? in
            guard state.count < capacity else { return nil }
            state.next += 1
            let ticket = Ticket(eventId: eventId, number: state.next)
            state.byId[eventId, default: [:]][ticket.number] = ticket
            state.count += 1
            return ticket
        }
    }

    /// A verdict read from the topic: completes every request waiting for its `event_id`.
    public func deliver(eventId: String, verdict: [UInt8]) {
        let tickets = state.withLock { $0.byId[eventId].map { Array($0.values) } ?? [] }
        for ticket in tickets { ticket.deliver(verdict) }
    }

    /// Waits up to `timeout` for the ticket's verdict, then lets the ticket go (it is not reusable).
    public func wait(_ ticket: Ticket, upTo timeout: Duration) async -> [UInt8]? {
        let timer = Task {
            guard (try? await Task.sleep(for: timeout)) != nil else { return }  // cancelled: the verdict came
            ticket.finish()
        }
        let verdict = await ticket.value()
        timer.cancel()
        release(ticket)
        return verdict
    }

    /// Lets a ticket go without waiting (its publish failed).
    public func release(_ ticket: Ticket) {
        ticket.finish()
        state.withLock { state in
            guard state.byId[ticket.eventId]?.removeValue(forKey: ticket.number) != nil else { return }
            if state.byId[ticket.eventId]?.isEmpty == true { state.byId[ticket.eventId] = nil }
            state.count -= 1
        }
    }
}
