/// The life of one connection's request bodies against a deadline: from a request's head to its end, at most
/// `timeout`, however the bytes trickle in (Hummingbird's idle timer restarts at every chunk, so a client
/// sending a byte a second would hold a connection forever). Pure: events in, actions out; the channel
/// handler does the I/O.
struct BodyDeadline: Sendable {
    struct Settings: Sendable {
        /// `--body-timeout-ms`.
        let timeout: Duration
    }

    enum State: Equatable {
        /// Between requests: the idle timeout's business, not this one's.
        case idle
        case reading(deadline: ContinuousClock.Instant)
        case closed
    }

    enum Action: Equatable {
        case none
        case schedule(at: ContinuousClock.Instant)
        case cancel
        /// The body is late: close the connection.
        case close
    }

    let settings: Settings
    private(set) var state = State.idle

    init(_ settings: Settings) { self.settings = settings }

    /// A request's head was read: its body must be in by the deadline.
    mutating func head(at now: ContinuousClock.Instant) -> Action {
        guard state != .closed else { return .none }
        let deadline = now + settings.timeout
        state = .reading(deadline: deadline)
        return .schedule(at: deadline)
    }

    /// The request's last byte was read.
    mutating func end() -> Action {
        guard case .reading = state else { return .none }
        state = .idle
        return .cancel
    }

    /// The timer set at `schedule` went off (it may be stale: a later request set another).
    mutating func timerFired(at now: ContinuousClock.Instant) -> Action {
        guard case let .reading(deadline) = state else { return .none }
        guard now >= deadline else { return .schedule(at: deadline) }
        state = .closed
        return .close
    }

    /// The connection is gone.
    mutating func closed() -> Action {
        let wasReading = { if case .reading = state { return true } else { return false } }()
        state = .closed
        return wasReading ? .cancel : .none
    }
}
