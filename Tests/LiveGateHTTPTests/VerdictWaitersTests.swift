import LiveGateCore
import LiveGateHTTP
import Testing

@Suite("Verdict waiters: bounded, registered before publishing, one verdict for every waiter of an id")
struct VerdictWaitersTests {
    let verdict = Array(#"{"event_id":"a-1","outcome":"allowed"}"#.utf8)

    func wait(_ waiters: VerdictWaiters, _ ticket: VerdictWaiters.Ticket, verdict: Duration = .seconds(5),
              publish: Duration = .seconds(5)) async -> VerdictWaiters.Outcome {
        await waiters.wait(ticket, verdictWait: verdict, publishTime: publish)
    }

    @Test("a verdict that arrives before the wait starts is kept for it")
    func deliveredFirst() async throws {
        let waiters = VerdictWaiters(capacity: 4)
        let ticket = try #require(waiters.register("a-1"))
        waiters.deliver(eventId: "a-1", verdict: verdict)  // before even the acknowledgement: a verdict wins
        #expect(await wait(waiters, ticket) == .verdict(verdict))
        #expect(waiters.count == 0)
    }

    @Test("a verdict that arrives while waiting ends the wait; other ids do not")
    func deliveredWhileWaiting() async throws {
        let waiters = VerdictWaiters(capacity: 4)
        let ticket = try #require(waiters.register("a-1"))
        ticket.published(.success(()))
        async let result = wait(waiters, ticket)
        try await Task.sleep(for: .milliseconds(50))
        waiters.deliver(eventId: "a-2", verdict: Array("other".utf8))
        waiters.deliver(eventId: "a-1", verdict: verdict)
        #expect(await result == .verdict(verdict))
    }

    @Test("published, no verdict in time: pending, and the waiter is gone")
    func pending() async throws {
        let waiters = VerdictWaiters(capacity: 4)
        let ticket = try #require(waiters.register("a-1"))
        ticket.published(.success(()))
        #expect(await wait(waiters, ticket, verdict: .milliseconds(30)) == .pending)
        #expect(waiters.count == 0)
        waiters.deliver(eventId: "a-1", verdict: verdict)  // late: nobody is waiting, nothing is kept
        #expect(waiters.count == 0)
    }

    @Test("wait_ms=0: pending as soon as the input is acknowledged, not when the publish time is over")
    func pendingOnAcknowledgement() async throws {
        let waiters = VerdictWaiters(capacity: 4)
        let ticket = try #require(waiters.register("a-1"))
        let started = ContinuousClock.now
        async let result = wait(waiters, ticket, verdict: .zero, publish: .seconds(5))
        try await Task.sleep(for: .milliseconds(40))
        ticket.published(.success(()))
        #expect(await result == .pending)
        #expect(ContinuousClock.now - started < .seconds(4))
    }

    @Test("a failed publish answers at once; one never acknowledged answers when its time is over")
    func unpublished() async throws {
        let waiters = VerdictWaiters(capacity: 4)
        let failed = try #require(waiters.register("a-1"))
        failed.published(.failure(.kafka("broker refused")))
        let started = ContinuousClock.now
        #expect(await wait(waiters, failed) == .unpublished(.kafka("broker refused")))
        #expect(ContinuousClock.now - started < .seconds(4))

        let silent = try #require(waiters.register("a-2"))
        #expect(await wait(waiters, silent, verdict: .zero, publish: .milliseconds(50)) == .unpublished(.notAcknowledged))
        silent.published(.success(()))  // late: changes nothing
        #expect(waiters.count == 0)
    }

    @Test("a dead letter refuses the request whose body it names (by digest), not another of the same id")
    func refusedByDeadLetter() async throws {
        let waiters = VerdictWaiters(capacity: 4)
        let original = Array(#"{"event_id":"a-1","amount":"1"}"#.utf8), other = Array(#"{"event_id":"a-1","amount":"2"}"#.utf8)
        let first = try #require(waiters.register("a-1", body: original))
        let second = try #require(waiters.register("a-1", body: other))
        first.published(.success(()))
        second.published(.success(()))
        waiters.refuse(eventId: "a-1", valueSHA256: SHA256Hex.of(other), error: "idempotency_conflict", message: "used before")
        #expect(await wait(waiters, second) == .refused(error: "idempotency_conflict", message: "used before"))
        #expect(await wait(waiters, first, verdict: .milliseconds(30)) == .pending)
    }

    @Test("two requests for one id both get its verdict")
    func sameIdTwice() async throws {
        let waiters = VerdictWaiters(capacity: 4)
        let first = try #require(waiters.register("a-1")), second = try #require(waiters.register("a-1"))
        async let a = wait(waiters, first)
        async let b = wait(waiters, second)
        try await Task.sleep(for: .milliseconds(50))
        waiters.deliver(eventId: "a-1", verdict: verdict)
        #expect(await a == .verdict(verdict))
        #expect(await b == .verdict(verdict))
        #expect(waiters.count == 0)
    }

    @Test("at most `capacity` wait; a released ticket makes room")
    func bounded() throws {
        let waiters = VerdictWaiters(capacity: 2)
        let first = try #require(waiters.register("a-1"))
        #expect(waiters.register("a-2") != nil)
        #expect(waiters.register("a-3") == nil)
        waiters.release(first)
        #expect(waiters.register("a-3") != nil)
        #expect(waiters.count == 2)
    }
}

@Suite("Intake: what serve refuses before publishing")
struct IntakeTests {
    func refusal(_ body: String, _ type: EventType = .transactionAttempted) -> String? {
        if case let .failure(refusal) = Intake.address(Array(body.utf8), as: type) { return refusal.code }
        return nil
    }

    @Test("addressable bodies pass, whatever else they get wrong (the pipeline decides that)")
    func addressable() throws {
        let body = #"{"event_id":"a-1","type":"transaction.attempted","tenant_id":"t-1","amount":12}"#
        let addressed = try Intake.address(Array(body.utf8), as: .transactionAttempted).get()
        #expect(addressed.eventId == "a-1" && addressed.tenantId == "t-1")
        let resolution = #"{"event_id":"r-1","type":"transaction.resolved","tenant_id":"t-1"}"#
        #expect(refusal(resolution, .transactionResolved) == nil)
    }

    @Test("not JSON, not an object, another type, no usable ids: refused with the reason")
    func refused() {
        #expect(refusal("{") == "not_json")
        #expect(refusal("[1]") == "not_an_object")
        #expect(refusal(#"{"event_id":"a","type":"transaction.resolved","tenant_id":"t"}"#) == "wrong_type")
        #expect(refusal(#"{"event_id":"a","tenant_id":"t"}"#) == "wrong_type")
        #expect(refusal(#"{"event_id":"","type":"transaction.attempted","tenant_id":"t"}"#) == "invalid_event_id")
        #expect(refusal(#"{"event_id":7,"type":"transaction.attempted","tenant_id":"t"}"#) == "invalid_event_id")
        let long = String(repeating: "x", count: 129)
        #expect(refusal(#"{"event_id":"a","type":"transaction.attempted","tenant_id":"\#(long)"}"#) == "invalid_tenant_id")
        #expect(refusal(#"{"event_id":"a","type":"transaction.attempted","tenant_id":"t\u0001"}"#) == "invalid_tenant_id")
        #expect(refusal(String(repeating: " ", count: Intake.maxBodyBytes + 1)) == "body_too_large")
    }
}
