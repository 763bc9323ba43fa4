import LiveGateCore
import LiveGateHTTP
import Testing

@Suite("Verdict waiters: bounded, registered before publishing, one verdict for every waiter of an id")
struct VerdictWaitersTests {
    let verdict = Array(#"{"event_id":"a-1","outcome":"allowed"}"#.utf8)

    /// Waits that must end early are a minute long: a busy test run can hold an async test's threads for
    /// seconds (seen: 18 s in CI), and a shorter wait would then run out before the test delivers.
    func wait(
        _ waiters: VerdictWaiters, _ ticket: VerdictWaiters.Ticket, verdict: Duration = .seconds(60),
        publish: Duration = .seconds(60)
    ) async -> VerdictWaiters.Outcome {
        await waiters.wait(ticket, verdictWait: verdict, publishTime: publish)
    }

    @Test("a verdict that arrives before the wait starts is kept for it")
    func deliveredFirst() async throws {
        let waiters = VerdictWaiters(capacity: 4)
        let ticket = try #require(waiters.register(tenantId: "t-1", eventId: "a-1"))
        // Before even the acknowledgement: a verdict wins.
        waiters.deliver(tenantId: "t-1", eventId: "a-1", verdict: verdict)
        #expect(await wait(waiters, ticket) == .verdict(verdict))
        #expect(waiters.count == 0)
    }

    @Test("a verdict that arrives while waiting ends the wait; other ids do not")
    func deliveredWhileWaiting() async throws {
        let waiters = VerdictWaiters(capacity: 4)
        let ticket = try #require(waiters.register(tenantId: "t-1", eventId: "a-1"))
        ticket.published(.success(()))
        async let result = wait(waiters, ticket)
        try await Task.sleep(for: .milliseconds(50))
        waiters.deliver(tenantId: "t-1", eventId: "a-2", verdict: Array("other".utf8))
        waiters.deliver(tenantId: "t-1", eventId: "a-1", verdict: verdict)
        #expect(await result == .verdict(verdict))
    }

    @Test("published, no verdict in time: pending, and the waiter is gone")
    func pending() async throws {
        let waiters = VerdictWaiters(capacity: 4)
        let ticket = try #require(waiters.register(tenantId: "t-1", eventId: "a-1"))
        ticket.published(.success(()))
        #expect(await wait(waiters, ticket, verdict: .milliseconds(30)) == .pending)
        #expect(waiters.count == 0)
        waiters.deliver(tenantId: "t-1", eventId: "a-1", verdict: verdict)  // late: nobody is waiting, nothing is kept
        let next = try #require(waiters.register(tenantId: "t-1", eventId: "a-1"))
        next.published(.success(()))
        #expect(await wait(waiters, next, verdict: .milliseconds(30)) == .pending, "the late verdict was kept")
    }

    // Waits of a minute that must end at once: were they to run their course, the outcome would be wrong
    // (no tighter wall-clock bound: a busy test run can hold an async test's thread for many seconds).
    @Test(
        "wait_ms=0: pending as soon as the input is acknowledged, not when the publish time is over",
        .timeLimit(.minutes(2)))
    func pendingOnAcknowledgement() async throws {
        let waiters = VerdictWaiters(capacity: 4)
        let ticket = try #require(waiters.register(tenantId: "t-1", eventId: "a-1"))
        async let result = wait(waiters, ticket, verdict: .zero, publish: .seconds(60))
        try await Task.sleep(for: .milliseconds(40))
        ticket.published(.success(()))
        #expect(await result == .pending)
    }

    @Test(
        "acknowledged after the verdict wait but within the publish time: pending, not unpublished",
        .timeLimit(.minutes(2)))
    func acknowledgedLate() async throws {
        let waiters = VerdictWaiters(capacity: 4)
        let ticket = try #require(waiters.register(tenantId: "t-1", eventId: "a-1"))
        async let result = wait(waiters, ticket, verdict: .milliseconds(10), publish: .seconds(60))
        try await Task.sleep(for: .milliseconds(80))
        ticket.published(.success(()))
        #expect(await result == .pending)
    }

    @Test(
        "a failed publish answers at once; one never acknowledged answers when its time is over",
        .timeLimit(.minutes(2)))
    func unpublished() async throws {
        let waiters = VerdictWaiters(capacity: 4)
        let failed = try #require(waiters.register(tenantId: "t-1", eventId: "a-1"))
        failed.published(.failure(.kafka("broker refused")))
        #expect(
            await wait(waiters, failed, verdict: .seconds(60), publish: .seconds(60))
                == .unpublished(.kafka("broker refused")))

        let silent = try #require(waiters.register(tenantId: "t-1", eventId: "a-2"))
        #expect(
            await wait(waiters, silent, verdict: .zero, publish: .milliseconds(50)) == .unpublished(.notAcknowledged))
        silent.published(.success(()))  // late: changes nothing
        // The verdict wait ends first, then the publish time (the deadline moves in the wheel).
        let slow = try #require(waiters.register(tenantId: "t-1", eventId: "a-3"))
        #expect(
            await wait(waiters, slow, verdict: .milliseconds(20), publish: .milliseconds(70))
                == .unpublished(.notAcknowledged))
        #expect(waiters.count == 0)
    }

    @Test(
        "a verdict answering another input of the same id is not this request's: its dead letter is",
        .timeLimit(.minutes(2)))
    func verdictOfAnotherInput() async throws {
        let waiters = VerdictWaiters(capacity: 4)
        let mine = Array(#"{"event_id":"a-1","amount":"2"}"#.utf8)
        let ticket = try #require(
            waiters.register(tenantId: "t-1", eventId: "a-1", bodySHA256: SHA256Hex.of(mine), fingerprint: "fp-mine"))
        ticket.published(.success(()))
        async let result = wait(waiters, ticket, verdict: .seconds(60))
        waiters.deliver(tenantId: "t-1", eventId: "a-1", verdict: verdict, answering: "fp-first")
        try await Task.sleep(for: .milliseconds(30))
        waiters.refuse(
            tenantId: "t-1", eventId: "a-1", valueSHA256: SHA256Hex.of(mine), error: "idempotency_conflict",
            message: "used before")
        #expect(await result == .refused(error: "idempotency_conflict", message: "used before"))
        // A verdict that answers this input, or one without a fingerprint (an older worker), is delivered.
        let other = try #require(
            waiters.register(tenantId: "t-1", eventId: "a-1", bodySHA256: SHA256Hex.of(mine), fingerprint: "fp-mine"))
        waiters.deliver(tenantId: "t-1", eventId: "a-1", verdict: verdict, answering: "fp-mine")
        #expect(await wait(waiters, other) == .verdict(verdict))
        let unmarked = try #require(
            waiters.register(tenantId: "t-1", eventId: "a-1", bodySHA256: SHA256Hex.of(mine), fingerprint: "fp-mine"))
        waiters.deliver(tenantId: "t-1", eventId: "a-1", verdict: verdict)
        #expect(await wait(waiters, unmarked) == .verdict(verdict))
    }

    @Test("ids are told apart by their bytes: NFC and NFD forms of one name are two events")
    func idsByBytes() async throws {
        let waiters = VerdictWaiters(capacity: 4)
        let composed = try #require(waiters.register(tenantId: "t-1", eventId: "caf\u{e9}"))
        waiters.deliver(tenantId: "t-1", eventId: "cafe\u{301}", verdict: verdict)
        composed.published(.success(()))
        #expect(await wait(waiters, composed, verdict: .milliseconds(30)) == .pending)
    }

    @Test("the key is (tenant, event_id): another tenant's verdict or dead letter of the same id is not this request's")
    func tenantsApart() async throws {
        let waiters = VerdictWaiters(capacity: 4)
        let body = Array(#"{"event_id":"a-1","tenant_id":"t-1"}"#.utf8)
        let mine = try #require(
            waiters.register(tenantId: "t-1", eventId: "a-1", bodySHA256: SHA256Hex.of(body), fingerprint: "fp"))
        mine.published(.success(()))
        waiters.deliver(tenantId: "t-2", eventId: "a-1", verdict: Array("other tenant".utf8), answering: "fp")
        waiters.refuse(
            tenantId: "t-2", eventId: "a-1", valueSHA256: SHA256Hex.of(body), error: "idempotency_conflict",
            message: "x")
        #expect(await wait(waiters, mine, verdict: .milliseconds(30)) == .pending)
        // Tenant ids compare as bytes too.
        let composed = try #require(waiters.register(tenantId: "caf\u{e9}", eventId: "a-1"))
        waiters.deliver(tenantId: "cafe\u{301}", eventId: "a-1", verdict: verdict)
        composed.published(.success(()))
        #expect(await wait(waiters, composed, verdict: .milliseconds(30)) == .pending)
        let again = try #require(waiters.register(tenantId: "t-1", eventId: "a-1", fingerprint: "fp"))
        waiters.deliver(tenantId: "t-1", eventId: "a-1", verdict: verdict, answering: "fp")
        #expect(await wait(waiters, again) == .verdict(verdict))
    }

    @Test("a dead letter refuses the request whose body it names (by digest), not another of the same id")
    func refusedByDeadLetter() async throws {
        let waiters = VerdictWaiters(capacity: 4)
        let original = Array(#"{"event_id":"a-1","amount":"1"}"#.utf8),
            other = Array(#"{"event_id":"a-1","amount":"2"}"#.utf8)
        let first = try #require(waiters.register(tenantId: "t-1", eventId: "a-1", bodySHA256: SHA256Hex.of(original)))
        let second = try #require(waiters.register(tenantId: "t-1", eventId: "a-1", bodySHA256: SHA256Hex.of(other)))
        first.published(.success(()))
        second.published(.success(()))
        waiters.refuse(
            tenantId: "t-1", eventId: "a-1", valueSHA256: SHA256Hex.of(other), error: "idempotency_conflict",
            message: "used before")
        #expect(await wait(waiters, second) == .refused(error: "idempotency_conflict", message: "used before"))
        #expect(await wait(waiters, first, verdict: .milliseconds(30)) == .pending)
    }

    @Test("two requests for one id both get its verdict")
    func sameIdTwice() async throws {
        let waiters = VerdictWaiters(capacity: 4)
        let first = try #require(waiters.register(tenantId: "t-1", eventId: "a-1")),
            second = try #require(waiters.register(tenantId: "t-1", eventId: "a-1"))
        async let a = wait(waiters, first)
        async let b = wait(waiters, second)
        try await Task.sleep(for: .milliseconds(50))
        waiters.deliver(tenantId: "t-1", eventId: "a-1", verdict: verdict)
        #expect(await a == .verdict(verdict))
        #expect(await b == .verdict(verdict))
        #expect(waiters.count == 0)
    }

    @Test("at most `capacity` wait; a released ticket makes room")
    func bounded() throws {
        let waiters = VerdictWaiters(capacity: 2)
        let first = try #require(waiters.register(tenantId: "t-1", eventId: "a-1"))
        #expect(waiters.register(tenantId: "t-1", eventId: "a-2") != nil)
        #expect(waiters.register(tenantId: "t-1", eventId: "a-3") == nil)
        waiters.release(first)
        #expect(waiters.register(tenantId: "t-1", eventId: "a-3") != nil)
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

    @Test("the fingerprint serve computes is the one the workers store and put on the verdict, whatever the spelling")
    func fingerprintAsTheWorkers() throws {
        let body = #"{"event_id":"a-1","type":"transaction.attempted","tenant_id":"t-1","amount":"12.50","n":1500}"#
        let respelled =
            #"{ "n": 1.5e3, "amount": "12.50", "tenant_id": "t-1", "type": "transaction.attempted", "event_id": "a-1" }"#
        let record = InputRecord(
            topic: Topics.transactionAttempt, key: Array("t-1".utf8), value: Array(body.utf8),
            timestamp: UTCInstant(millis: 0), timestampSource: .broker)
        guard case let .event(event) = InputDecoder.decode(record) else { Issue.record("not decoded"); return }
        #expect(try Intake.address(Array(body.utf8), as: .transactionAttempted).get().fingerprint == event.fingerprint)
        #expect(
            try Intake.address(Array(respelled.utf8), as: .transactionAttempted).get().fingerprint == event.fingerprint)
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
        #expect(
            refusal(#"{"event_id":"a","type":"transaction.attempted","tenant_id":"\#(long)"}"#) == "invalid_tenant_id")
        #expect(
            refusal(#"{"event_id":"a","type":"transaction.attempted","tenant_id":"t\u0001"}"#) == "invalid_tenant_id")
        #expect(refusal(String(repeating: " ", count: Intake.maxBodyBytes + 1)) == "body_too_large")
    }
}
