import Kafka
import Testing

@testable import LiveGatePipeline

/// One batch's rules: order, retries, reconnects, producer replacement, isolation, the deadline, a stop.
@Suite("The lane machine: a batch")
struct LaneMachineBatchTests {
    typealias S = LaneMachineSessionTests
    static let second = S.second
    static let offsets: [TopicPartition: Int64] = [S.p0: 5]

    /// A batch decoded at `now`, about to be applied.
    static func applying(at now: UInt64 = 0) -> LaneMachine {
        var m = S.polling()
        _ = m.polled(S.poll(offsets))
        #expect(m.decoded(at: now) == .apply)
        return m
    }

    @Test("apply, publish, commit, in that order only; then the next turn")
    func happyPath() {
        var m = Self.applying()
        #expect(m.applied() == .publish)
        #expect(m.published() == .commitBatch(Self.offsets))
        #expect(m.offsetsCommitted() == .turn)
        #expect(m.batchFailures == 0 && m.carryOver.isEmpty)
    }

    @Test("a passing failure backs off longer each time, then applies again")
    func transientRetries() {
        var m = Self.applying()
        #expect(m.applyFailed(.transient(needsNewConnection: false), at: 1) == .wait(afterFailures: 1))
        #expect(m.waited() == .apply)
        #expect(m.applyFailed(.transient(needsNewConnection: false), at: 2) == .wait(afterFailures: 2))
        #expect(m.waited() == .apply)
        #expect(m.applied() == .publish)
    }

    @Test("a lost connection: reconnect at once, back off, then apply again")
    func reconnectThenRetry() {
        var m = Self.applying()
        #expect(m.applyFailed(.transient(needsNewConnection: true), at: 1) == .reconnectStore)
        #expect(m.storeReconnected() == .wait(afterFailures: 1))
        #expect(m.waited() == .apply)
    }

    @Test("a failed reconnect is a failure: counted, backed off, and the reconnect tried again")
    func failedReconnectCounts() {
        var m = Self.applying()
        _ = m.applyFailed(.transient(needsNewConnection: true), at: 1)
        #expect(m.storeReconnectFailed(at: 2) == .wait(afterFailures: 2))
        #expect(m.waited() == .reconnectStore, "a reconnect, not an apply on the dead connection")
        #expect(m.storeReconnected() == .wait(afterFailures: 2))
        #expect(m.waited() == .apply)
    }

    @Test("PostgreSQL refuses the batch for what it holds: isolate the records, no backoff")
    func refusedDataIsolates() {
        var m = Self.applying()
        #expect(m.applyFailed(.refusesData, at: 1) == .isolate)
        #expect(m.batchFailures == 0, "isolation is no failed attempt")
        #expect(m.applied() == .publish)
    }

    @Test("PostgreSQL refuses every batch alike: retried as for an outage")
    func refusesEveryBatchRetries() {
        var m = Self.applying()
        #expect(m.applyFailed(.refusesEveryBatch, at: 1) == .wait(afterFailures: 1))
        #expect(m.waited() == .apply)
    }

    @Test("a record that breaks a store invariant stops the lane, uncommitted")
    func brokenInvariantFails() {
        var m = Self.applying()
        #expect(m.applyFailed(.brokenInvariant, at: 1) == .leaveGroup(.failed))
        #expect(m.sessionClosed() == .fail)
    }

    @Test("a failed publish is retried alone: the store already committed")
    func publishRetriedAlone() {
        var m = Self.applying()
        _ = m.applied()
        #expect(m.publishFailed(.transient, at: 1) == .wait(afterFailures: 1))
        #expect(m.waited() == .publish)
        #expect(m.published() == .commitBatch(Self.offsets))
    }

    @Test("a producer that lost its guarantees is replaced, then the publish retried")
    func fatalProducerReplaced() {
        var m = Self.applying()
        _ = m.applied()
        #expect(m.publishFailed(.fatalProducer, at: 1) == .replaceProducer)
        #expect(m.producerReplaced() == .wait(afterFailures: 1))
        #expect(m.waited() == .publish)
    }

    @Test("a failed replacement is a failure: counted, backed off, and the replacement tried again")
    func failedReplacementCounts() {
        var m = Self.applying()
        _ = m.applied()
        _ = m.publishFailed(.fatalProducer, at: 1)
        #expect(m.producerReplaceFailed(at: 2) == .wait(afterFailures: 2))
        #expect(m.waited() == .replaceProducer)
    }

    @Test("the deadline counts from the decode: a failure just before it retries, one at it leaves the group")
    func deadline() {
        let start = 1_000 * Self.second
        var m = Self.applying(at: start)
        #expect(
            m.applyFailed(.transient(needsNewConnection: false), at: start + 120 * Self.second - 1)
                == .wait(afterFailures: 1))
        _ = m.waited()
        #expect(
            m.applyFailed(.transient(needsNewConnection: false), at: start + 120 * Self.second)
                == .leaveGroup(.stalled), "uncommitted: the next owner reads the batch again")
    }

    @Test("past the deadline while publishing or reconnecting, the lane leaves the group too")
    func deadlineAnyStep() {
        var m = Self.applying()
        _ = m.applied()
        #expect(m.publishFailed(.transient, at: 121 * Self.second) == .leaveGroup(.stalled))
        var n = Self.applying()
        _ = n.applyFailed(.transient(needsNewConnection: true), at: 1)
        #expect(n.storeReconnectFailed(at: 121 * Self.second) == .leaveGroup(.stalled))
    }

    @Test("a stalled lane waits for PostgreSQL again before it rejoins")
    func stalledRejoinsAfterPostgres() {
        var m = Self.applying()
        _ = m.applyFailed(.transient(needsNewConnection: false), at: 121 * Self.second)
        #expect(m.sessionClosed() == .connectStore(attempt: 1))
        #expect(m.storeConnectFailed() == .wait(afterFailures: 1))
        #expect(m.waited() == .connectStore(attempt: 2))
        #expect(m.storeConnected() == .joinGroup)
        #expect(m.joined() == .turn)
    }

    @Test("a stop while a stalled lane waits for PostgreSQL forgets a member's heartbeat row; a reader has none")
    func stopWhileReconnecting() {
        var m = Self.applying()
        _ = m.applyFailed(.transient(needsNewConnection: false), at: 121 * Self.second)
        _ = m.sessionClosed()
        #expect(m.storeConnectFailed() == .wait(afterFailures: 1))
        #expect(m.stopRequested() == .forgetMember)
        var r = S.polling(role: .reader)
        _ = r.polled(S.poll([S.p0: 3]))
        _ = r.decoded(at: 0)
        #expect(r.applyFailed(.transient(needsNewConnection: false), at: 121 * Self.second) == .leaveGroup(.stalled))
        #expect(r.sessionClosed() == .connectStore(attempt: 1))
        #expect(r.stopRequested() == .exit)
    }

    @Test("a stop during a backoff leaves the batch uncommitted, and the lane stops cleanly")
    func stopDuringBackoff() {
        var m = Self.applying()
        _ = m.applyFailed(.transient(needsNewConnection: false), at: 1)
        #expect(m.stopRequested() == .leaveGroup(.stopped))
        #expect(m.sessionClosed() == .forgetMember)
        #expect(m.memberForgotten() == .exit)
    }

    @Test("the deadline is 40 % of max.poll.interval.ms when that is less than the batch deadline")
    func deadlineFromMaxPoll() {
        let configuration = WorkerConfiguration(
            brokers: "", databaseURL: "", kafka: KafkaSettings([("max.poll.interval.ms", "60000")]))
        #expect(configuration.effectiveBatchDeadlineSeconds == 24)
        #expect(LaneMachine.Timing(batchDeadlineSeconds: 24).batchDeadlineNanos == 24 * Self.second)
    }
}

@Suite("The lanes of one worker")
struct LaneSetTests {
    @Test("the first lane to fail stops the others; its failure is the worker's")
    func firstFailureStopsAll() {
        var set = LaneSet(lanes: 3)
        #expect(set.laneEnded(1, failed: true) == .stopAll)
        #expect(set.laneEnded(0, failed: true) == .none, "a later failure is only logged")
        #expect(set.laneEnded(2, failed: false) == .none)
        #expect(set.firstFailed == 1 && set.running == 0)
    }

    @Test("lanes that stop cleanly stop nobody")
    func cleanStops() {
        var set = LaneSet(lanes: 2)
        #expect(set.laneEnded(0, failed: false) == .none)
        #expect(set.laneEnded(1, failed: false) == .none)
        #expect(set.firstFailed == nil)
    }
}
