@testable import LiveGatePipeline
import Testing

/// Every rule of the batch lifecycle, fed events and compared on actions. No broker, no database, no clock.
@Suite("The batch lifecycle")
struct BatchLifecycleTests {
    static let second: UInt64 = 1_000_000_000
    func machine() -> BatchLifecycle { BatchLifecycle(deadlineSeconds: 120) }

    @Test("the happy path: apply, publish, commit, in that order only")
    func happyPath() {
        var m = machine()
        #expect(m.polled(at: 0) == .apply)
        #expect(m.state == .applying)
        #expect(m.applied() == .publish)
        #expect(m.published() == .commit)
        #expect(m.committed() == .done)
        #expect(m.state == .finished && m.failures == 0)
        #expect(m.polled(at: 5) == .apply, "the next batch starts afresh")
    }

    @Test("a transient apply failure waits its backoff, then applies again")
    func transientApply() {
        var m = machine()
        _ = m.polled(at: 0)
        #expect(m.applyFailed(.transient(needsNewConnection: false), at: 1) == .wait(afterFailures: 1))
        #expect(m.state == .waiting(step: .apply))
        #expect(m.waited() == .apply)
        #expect(m.applyFailed(.transient(needsNewConnection: false), at: 2) == .wait(afterFailures: 2))
        #expect(m.failures == 2)
    }

    @Test("a broken or read-only connection is replaced before the backoff")
    func reconnect() {
        var m = machine()
        _ = m.polled(at: 0)
        #expect(m.applyFailed(.transient(needsNewConnection: true), at: 1) == .reconnect)
        #expect(m.reconnected() == .wait(afterFailures: 1))
        #expect(m.waited() == .apply)
    }

    @Test("refused data is isolated; a broken invariant exits; a refusal of every batch is retried")
    func refusals() {
        var m = machine()
        _ = m.polled(at: 0)
        #expect(m.applyFailed(.refusesData, at: 1) == .isolate)
        #expect(m.failures == 0, "isolating is not a failed attempt")
        #expect(m.applied() == .publish)
        var broken = machine()
        _ = broken.polled(at: 0)
        #expect(broken.applyFailed(.brokenInvariant, at: 1) == .exit)
        var everyBatch = machine()
        _ = everyBatch.polled(at: 0)
        #expect(everyBatch.applyFailed(.refusesEveryBatch, at: 1) == .wait(afterFailures: 1))
    }

    @Test("publishing retries only the publish; a fatal producer is replaced first")
    func publishFailures() {
        var m = machine()
        _ = m.polled(at: 0)
        _ = m.applied()
        #expect(m.publishFailed(.transient, at: 1) == .wait(afterFailures: 1))
        #expect(m.waited() == .publish, "the store already committed: apply is not repeated")
        #expect(m.publishFailed(.fatalProducer, at: 2) == .replaceProducer)
        #expect(m.producerReplaced() == .wait(afterFailures: 2))
        #expect(m.waited() == .publish)
        #expect(m.published() == .commit)
    }

    @Test("past the deadline, on a monotonic clock, the worker leaves the group instead of retrying")
    func deadline() {
        var m = machine()
        _ = m.polled(at: 1000 * Self.second)
        #expect(m.applyFailed(.transient(needsNewConnection: false), at: 1000 * Self.second + 119 * Self.second) != .leaveGroup)
        _ = m.waited()
        #expect(m.applyFailed(.transient(needsNewConnection: false), at: 1000 * Self.second + 120 * Self.second) == .leaveGroup)
        #expect(m.state == .finished)
        var publishing = machine()
        _ = publishing.polled(at: 0)
        _ = publishing.applied()
        #expect(publishing.publishFailed(.transient, at: 121 * Self.second) == .leaveGroup)
        var reconnecting = machine()
        _ = reconnecting.polled(at: 0)
        #expect(reconnecting.applyFailed(.transient(needsNewConnection: true), at: 121 * Self.second) == .leaveGroup)
    }

    @Test("a stop request while waiting stops without committing")
    func stopWhileWaiting() {
        var m = machine()
        _ = m.polled(at: 0)
        _ = m.applyFailed(.transient(needsNewConnection: false), at: 1)
        #expect(m.stopRequested() == .stop)
        #expect(m.state == .finished)
    }

    @Test("the deadline in force is 40 % of max.poll.interval.ms when that is less than the one configured")
    func effectiveDeadline() {
        var configuration = WorkerConfiguration(brokers: "b", databaseURL: "u")
        #expect(configuration.effectiveBatchDeadlineSeconds == 120)
        configuration.kafka["max.poll.interval.ms"] = "10000"
        #expect(configuration.effectiveBatchDeadlineSeconds == 4)
        configuration.kafka["max.poll.interval.ms"] = "900000"
        #expect(configuration.effectiveBatchDeadlineSeconds == 120)
    }
}
