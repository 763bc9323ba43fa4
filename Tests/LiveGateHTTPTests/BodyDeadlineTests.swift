import Testing

@testable import LiveGateHTTP

@Suite("Body deadline: a request's body is in within the timeout, however it trickles")
struct BodyDeadlineTests {
    let start = ContinuousClock.now
    var machine = BodyDeadline(.init(timeout: .seconds(5)))

    @Test("a head sets the deadline; the end cancels it; a timer past the deadline closes")
    mutating func life() {
        #expect(machine.head(at: start) == .schedule(at: start + .seconds(5)))
        #expect(machine.timerFired(at: start + .seconds(4)) == .schedule(at: start + .seconds(5)), "early: set again")
        #expect(machine.timerFired(at: start + .seconds(5)) == .close)
        #expect(machine.state == .closed)
        #expect(machine.head(at: start + .seconds(6)) == .none, "nothing after close")
    }

    @Test(
        "a body that ends in time cancels the timer, and a stale timer then does nothing; the next request starts afresh"
    )
    mutating func inTime() {
        _ = machine.head(at: start)
        #expect(machine.end() == .cancel)
        #expect(machine.timerFired(at: start + .seconds(9)) == .none)
        #expect(machine.head(at: start + .seconds(10)) == .schedule(at: start + .seconds(15)))
        #expect(machine.closed() == .cancel)
        #expect(machine.end() == .none)
    }
}
