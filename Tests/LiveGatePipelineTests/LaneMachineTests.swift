import Kafka
import Testing

@testable import LiveGatePipeline

/// Every rule of a lane's life, fed events and compared on actions: no broker, no database, no clock. The
/// process proofs show the rules hold against real processes; these show each rule alone, in microseconds.
@Suite("The lane machine: session")
struct LaneMachineSessionTests {
    static let second: UInt64 = 1_000_000_000
    static let p0 = TopicPartition(topic: "t", partition: 0)
    static let p1 = TopicPartition(topic: "t", partition: 1)

    /// A member that joined and has taken its first turn's heartbeat and lag report: its next action is a poll.
    static func polling(at now: UInt64 = 0, role: LaneMachine.Role = .member) -> LaneMachine {
        var m = LaneMachine(role: role, timing: .init(batchDeadlineSeconds: 120))
        _ = m.start()
        _ = m.storeConnected()
        _ = m.joined()
        if role == .member {
            #expect(m.turn(at: now) == .heartbeat)
            #expect(m.heartbeatSucceeded() == .reportLag)
            #expect(m.lagReported() == .poll)
        } else {
            #expect(m.turn(at: now) == .poll)
        }
        return m
    }

    static func poll(
        _ offsets: [TopicPartition: Int64], owned: Set<TopicPartition> = [p0, p1],
        revoked: Bool = false, member: Bool = true
    ) -> LaneMachine.Poll {
        LaneMachine.Poll(nextOffsets: offsets, revokedDuringPoll: revoked, owned: owned, isGroupMember: member)
    }

    @Test("PostgreSQL first: a lane joins the group only once a connection is open")
    func connectsBeforeJoining() {
        var m = LaneMachine(timing: .init(batchDeadlineSeconds: 120))
        #expect(m.start() == .connectStore(attempt: 1))
        #expect(m.storeConnected() == .joinGroup)
        #expect(m.joined() == .turn)
    }

    @Test("PostgreSQL down at start: connect, back off, connect again, and never join meanwhile")
    func waitsForPostgres() {
        var m = LaneMachine(timing: .init(batchDeadlineSeconds: 120))
        _ = m.start()
        #expect(m.storeConnectFailed() == .wait(afterFailures: 1))
        #expect(m.waited() == .connectStore(attempt: 2))
        #expect(m.storeConnectFailed() == .wait(afterFailures: 2))
        #expect(m.waited() == .connectStore(attempt: 3))
        #expect(m.storeConnected() == .joinGroup)
    }

    @Test("a stop while waiting for PostgreSQL at start exits at once: no heartbeat row was written")
    func stopBeforeAnyConnection() {
        var m = LaneMachine(timing: .init(batchDeadlineSeconds: 120))
        _ = m.start()
        _ = m.storeConnectFailed()
        #expect(m.stopRequested() == .exit)
        #expect(m.state == .done)
    }

    @Test("a group the lane cannot join fails the lane")
    func joinFails() {
        var m = LaneMachine(timing: .init(batchDeadlineSeconds: 120))
        _ = m.start()
        _ = m.storeConnected()
        #expect(m.joinFailed() == .fail)
        #expect(m.state == .failed)
    }

    @Test("a turn: a heartbeat and a lag report every 5 s, a poll every turn")
    func heartbeatAndLagEveryFiveSeconds() {
        var m = Self.polling(at: 0)
        #expect(m.polled(Self.poll([:])) == .turn, "an empty poll is the next turn")
        #expect(m.turn(at: 4 * Self.second) == .poll, "within 5 s: no heartbeat, no lag report")
        _ = m.polled(Self.poll([:]))
        #expect(m.turn(at: 5 * Self.second) == .heartbeat)
        #expect(m.heartbeatSucceeded() == .reportLag)
        #expect(m.lagReported() == .poll)
    }

    @Test("a heartbeat that fails on a connection that may recover holds nothing up")
    func heartbeatFailureIsBestEffort() {
        var m = LaneMachine(timing: .init(batchDeadlineSeconds: 120))
        _ = m.start()
        _ = m.storeConnected()
        _ = m.joined()
        _ = m.turn(at: 0)
        #expect(m.heartbeatFailed(needsNewConnection: false) == .reportLag)
    }

    @Test("a heartbeat refused on a lost connection reconnects between batches; a failed reconnect waits a turn")
    func heartbeatReconnects() {
        var m = LaneMachine(timing: .init(batchDeadlineSeconds: 120))
        _ = m.start()
        _ = m.storeConnected()
        _ = m.joined()
        _ = m.turn(at: 0)
        #expect(m.heartbeatFailed(needsNewConnection: true) == .reconnectStore)
        #expect(m.storeReconnectFailed(at: 1) == .reportLag, "the next heartbeat tries again")
        _ = m.lagReported()
        _ = m.polled(Self.poll([:]))
        _ = m.turn(at: 5 * Self.second)
        #expect(m.heartbeatFailed(needsNewConnection: true) == .reconnectStore)
        #expect(m.storeReconnected() == .reportLag)
    }

    @Test("a reader sends no heartbeat and reports no lag")
    func readerOnlyPolls() {
        var m = Self.polling(role: .reader)
        _ = m.polled(Self.poll([:]))
        #expect(m.turn(at: 10 * Self.second) == .poll)
    }

    @Test("a poll with records starts a batch that drops nothing")
    func pollStartsBatch() {
        var m = Self.polling()
        #expect(m.polled(Self.poll([Self.p0: 5])) == .decode(dropping: []))
    }

    @Test("records of partitions revoked during the poll are dropped, and not committed")
    func revokedPartitionsDropped() {
        var m = Self.polling()
        #expect(
            m.polled(Self.poll([Self.p0: 5, Self.p1: 9], owned: [Self.p0], revoked: true))
                == .decode(dropping: [Self.p1]))
        _ = m.decoded(at: 0)
        _ = m.applied()
        #expect(m.published() == .commitBatch([Self.p0: 5]))
    }

    @Test("a poll whose every partition was revoked during it is no batch at all")
    func allRevoked() {
        var m = Self.polling()
        #expect(m.polled(Self.poll([Self.p1: 9], owned: [Self.p0], revoked: true)) == .turn)
    }

    @Test("records of a partition still held are kept even after a revocation during the poll")
    func revocationKeepsReassigned() {
        var m = Self.polling()
        #expect(m.polled(Self.poll([Self.p0: 5], owned: [Self.p0], revoked: true)) == .decode(dropping: []))
    }

    @Test("a fatal consumer fails the lane, after closing the consumer")
    func pollFailure() {
        var m = Self.polling()
        #expect(m.pollFailed() == .leaveGroup(.failed))
        #expect(m.sessionClosed() == .fail)
    }

    @Test("a stop at a turn leaves the group and forgets the heartbeat row")
    func stopAtTurn() {
        var m = Self.polling()
        _ = m.polled(Self.poll([:]))
        #expect(m.stopRequested() == .leaveGroup(.stopped))
        #expect(m.sessionClosed() == .forgetMember)
        #expect(m.memberForgotten() == .exit)
        #expect(m.state == .done)
    }

    @Test("a reader that read its range ends without a heartbeat row to forget")
    func readerFinishes() {
        var m = Self.polling(role: .reader)
        _ = m.polled(Self.poll([Self.p0: 3]))
        _ = m.decoded(at: 0)
        _ = m.applied()
        #expect(m.published() == .finishBatch, "a reader commits nothing")
        #expect(m.batchFinished() == .turn)
        #expect(m.rangeRead() == .leaveGroup(.finished))
        #expect(m.sessionClosed() == .exit)
    }
}

/// The carry-over of commits the group refused (a frozen worker waking after its partitions moved, a commit
/// during a rebalance).
@Suite("The lane machine: refused commits")
struct LaneMachineCarryOverTests {
    typealias S = LaneMachineSessionTests
    static let p0 = S.p0
    static let p1 = S.p1

    /// A member whose commit of `offsets` the group refused, at its next turn.
    static func refused(_ offsets: [TopicPartition: Int64]) -> LaneMachine {
        var m = S.polling()
        _ = m.polled(S.poll(offsets))
        _ = m.decoded(at: 0)
        _ = m.applied()
        #expect(m.published() == .commitBatch(offsets))
        #expect(m.commitRefused() == .turn, "a refused commit is not fatal: the outputs are durable")
        #expect(m.carryOver == offsets)
        #expect(m.turn(at: 1) == .poll)
        return m
    }

    @Test("a refused commit is made once the group settles, for the partitions still held, before the next batch")
    func carriedOverAndCommitted() {
        var m = Self.refused([Self.p0: 5, Self.p1: 7])
        #expect(
            m.polled(S.poll([Self.p0: 9], owned: [Self.p0])) == .commitCarryOver([Self.p0: 5]),
            "p1 moved away: its new owner reads it again, answered from the store")
        #expect(m.offsetsCommitted() == .decode(dropping: []))
        #expect(m.carryOver.isEmpty)
    }

    @Test("during a rebalance the carry-over waits, and rides along with the next batch's commit")
    func carriedOverDuringRebalance() {
        var m = Self.refused([Self.p0: 5, Self.p1: 7])
        #expect(m.polled(S.poll([Self.p0: 9], member: false)) == .decode(dropping: []))
        _ = m.decoded(at: 0)
        _ = m.applied()
        #expect(m.published() == .commitBatch([Self.p0: 9, Self.p1: 7]))
    }

    @Test("a carry-over for partitions all moved away is dropped without a commit")
    func carriedOverDropped() {
        var m = Self.refused([Self.p1: 7])
        #expect(m.polled(S.poll([:], owned: [Self.p0])) == .turn)
        #expect(m.carryOver.isEmpty)
    }

    @Test("a carry-over refused again is kept, and the batch goes on")
    func carriedOverRefusedAgain() {
        var m = Self.refused([Self.p0: 5])
        _ = m.polled(S.poll([Self.p0: 9], owned: [Self.p0]))
        #expect(m.commitRefused() == .decode(dropping: []))
        #expect(m.carryOver == [Self.p0: 5])
    }

    @Test("a stop commits the carry-over of partitions still held before leaving; refused then, it is dropped")
    func stopCommitsCarryOver() {
        var m = Self.refused([Self.p0: 5])
        #expect(m.polled(S.poll([:], owned: [Self.p0])) == .commitCarryOver([Self.p0: 5]))
        #expect(m.commitRefused() == .turn)
        #expect(m.stopRequested() == .commitCarryOver([Self.p0: 5]))
        #expect(m.commitRefused() == .leaveGroup(.stopped), "refused at the end: left to the next owner")
        #expect(m.carryOver.isEmpty)
    }

    @Test("a stop outside a settled group commits nothing: the partitions may be someone else's")
    func stopDuringRebalance() {
        var m = Self.refused([Self.p0: 5])
        _ = m.polled(S.poll([:], owned: [Self.p0], member: false))
        #expect(m.stopRequested() == .leaveGroup(.stopped))
    }

    @Test("a stalled session leaves its carry-over to the partitions' next owners, and starts the next one clean")
    func stallDropsCarryOver() {
        var m = Self.refused([Self.p0: 5])
        _ = m.polled(S.poll([Self.p0: 9], member: false))
        _ = m.decoded(at: 0)
        #expect(m.applyFailed(.transient(needsNewConnection: false), at: 200 * S.second) == .leaveGroup(.stalled))
        #expect(m.carryOver.isEmpty)
        #expect(m.sessionClosed() == .connectStore(attempt: 1))
        _ = m.storeConnected()
        _ = m.joined()
        #expect(m.owned.isEmpty && !m.isGroupMember)
    }
}
