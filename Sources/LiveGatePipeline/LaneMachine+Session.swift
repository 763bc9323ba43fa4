import Kafka

/// Turns between batches, the carry-over of refused commits, and the end of a session.
extension LaneMachine {
    /// A turn begins at `now`: a heartbeat and a lag report when due (members only), then a poll.
    mutating func turn(at now: UInt64) -> Action {
        guard case .inGroup(.ready) = state else { preconditionFailure("turn(at:) in \(state)") }
        guard role == .member else {
            state = .inGroup(.polling)
            return .poll
        }
        if lastBeat.map({ now &- $0 >= timing.heartbeatNanos }) ?? true {
            lastBeat = now
            state = .inGroup(.beating(at: now))
            return .heartbeat
        }
        return afterHeartbeat(at: now)
    }

    mutating func heartbeatSucceeded() -> Action {
        guard case let .inGroup(.beating(now)) = state else { preconditionFailure("heartbeatSucceeded() in \(state)") }
        return afterHeartbeat(at: now)
    }

    /// A heartbeat is best effort and never holds up a batch; but it is also what brings a lost connection
    /// back while no batch is asking for one.
    mutating func heartbeatFailed(needsNewConnection: Bool) -> Action {
        guard case let .inGroup(.beating(now)) = state else { preconditionFailure("heartbeatFailed() in \(state)") }
        guard needsNewConnection else { return afterHeartbeat(at: now) }
        state = .inGroup(.reconnecting(at: now))
        return .reconnectStore
    }

    mutating func storeReconnected() -> Action {
        switch state {
        case let .inGroup(.reconnecting(now)):
            return afterHeartbeat(at: now)
        case let .batch(batch) where batch.step == .reconnecting:
            return backOff(batch, then: .apply)
        default:
            preconditionFailure("storeReconnected() in \(state)")
        }
    }

    /// A new connection could not be opened. Between batches the next heartbeat tries again; in a batch it
    /// is a failure like any other: counted, bounded by the deadline, and tried again after the backoff.
    mutating func storeReconnectFailed(at now: UInt64) -> Action {
        switch state {
        case let .inGroup(.reconnecting(turnStart)):
            return afterHeartbeat(at: turnStart)
        case let .batch(batch) where batch.step == .reconnecting:
            return retry(batch, .reconnect, at: now)
        default:
            preconditionFailure("storeReconnectFailed(at:) in \(state)")
        }
    }

    mutating func lagReported() -> Action {
        guard case .inGroup(.reportingLag) = state else { preconditionFailure("lagReported() in \(state)") }
        state = .inGroup(.polling)
        return .poll
    }

    /// What a poll returned. First the carry-over, for the partitions this lane holds once the group has
    /// settled; then the batch, without the records of partitions revoked during the poll.
    mutating func polled(_ poll: Poll) -> Action {
        guard case .inGroup(.polling) = state else { preconditionFailure("polled(_:) in \(state)") }
        owned = poll.owned
        isGroupMember = poll.isGroupMember
        if !carryOver.isEmpty, isGroupMember {
            let kept = carryOver.filter { owned.contains($0.key) }
            carryOver = [:]
            if !kept.isEmpty {
                state = .inGroup(.committingCarryOver(kept, pending: poll))
                return .commitCarryOver(kept)
            }
        }
        return startBatch(poll)
    }

    /// The consumer failed for good (a fatal error): the lane stops, and with it the worker.
    mutating func pollFailed() -> Action {
        guard case .inGroup(.polling) = state else { preconditionFailure("pollFailed() in \(state)") }
        return end(.failed)
    }

    mutating func offsetsCommitted() -> Action { commitEnded(refused: false) }

    /// A refused commit is not fatal: the outputs are already durable. Its offsets are carried over.
    mutating func commitRefused() -> Action { commitEnded(refused: true) }

    private mutating func commitEnded(refused: Bool) -> Action {
        switch state {
        case let .inGroup(.committingCarryOver(offsets, pending)):
            carryOver = refused ? offsets : [:]
            return startBatch(pending)
        case let .batch(batch) where batch.step == .committing:
            carryOver = refused ? batch.commitOffsets : [:]
            state = .inGroup(.ready)
            return .turn
        case .ending(_, .committingCarryOver):
            // What is still refused now is left to the partitions' next owners, answered from the store.
            carryOver = [:]
            return close()
        default:
            preconditionFailure("offsets commit reported in \(state)")
        }
    }

    /// A reader's batch is done.
    mutating func batchFinished() -> Action {
        _ = inFlight(at: .finishing, "batchFinished()")
        state = .inGroup(.ready)
        return .turn
    }

    /// A reader read its whole range.
    mutating func rangeRead() -> Action {
        guard role == .reader, case .inGroup(.ready) = state else { preconditionFailure("rangeRead() in \(state)") }
        return end(.finished)
    }

    mutating func sessionClosed() -> Action {
        guard case let .ending(ending, .closing) = state else { preconditionFailure("sessionClosed() in \(state)") }
        owned = []
        isGroupMember = false
        switch ending {
        case .stalled:
            // Back to waiting for PostgreSQL: a new connection, and a new session once it answers.
            state = .connecting(attempt: 1)
            return .connectStore(attempt: 1)
        case .stopped where role == .member:
            state = .ending(.stopped, .forgetting)
            return .forgetMember
        case .stopped, .finished:
            state = .done
            return .exit
        case .failed:
            state = .failed
            return .fail
        }
    }

    mutating func memberForgotten() -> Action {
        guard case .ending(.stopped, .forgetting) = state else { preconditionFailure("memberForgotten() in \(state)") }
        state = .done
        return .exit
    }

    /// Ends the session: first the carry-over of the partitions still held (a clean stop leaves nothing
    /// answered behind the committed offsets, which `livegate lag` reads), then the consumer is closed.
    mutating func end(_ ending: Ending) -> Action {
        let kept = isGroupMember ? carryOver.filter { owned.contains($0.key) } : [:]
        carryOver = [:]
        guard kept.isEmpty else {
            state = .ending(ending, .committingCarryOver)
            return .commitCarryOver(kept)
        }
        state = .ending(ending, .closing)
        return close()
    }

    private mutating func close() -> Action {
        guard case let .ending(ending, _) = state else { preconditionFailure("close() in \(state)") }
        state = .ending(ending, .closing)
        return .leaveGroup(ending)
    }

    private mutating func afterHeartbeat(at now: UInt64) -> Action {
        if lastLag.map({ now &- $0 >= timing.heartbeatNanos }) ?? true {
            lastLag = now
            state = .inGroup(.reportingLag)
            return .reportLag
        }
        state = .inGroup(.polling)
        return .poll
    }

    /// A batch of the records of partitions still held; none left, the next turn.
    private mutating func startBatch(_ poll: Poll) -> Action {
        let offsets =
            poll.revokedDuringPoll
            ? poll.nextOffsets.filter { poll.owned.contains($0.key) }
            : poll.nextOffsets
        guard !offsets.isEmpty else {
            state = .inGroup(.ready)
            return .turn
        }
        state = .batch(Batch(offsets: offsets))
        return .decode(dropping: Set(poll.nextOffsets.keys).subtracting(offsets.keys))
    }
}
