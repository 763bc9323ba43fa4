import LiveGateCore
import LiveGateStore
import LiveGateTestSupport
import Postgres
import Testing

@Suite("Exactly once in effect")
struct IdempotencyTests {
    static func story() -> [String] {
        [
            Fixtures.declaration("d1", tenant: "t"),
            Fixtures.decision("a1", tenant: "t", action: "approve"),
            Fixtures.attempt("x1", tenant: "t", amount: "100"),
            Fixtures.attempt("x2", tenant: "t", amount: "100.5"),
            Fixtures.attempt("x3", tenant: "t", amount: "7", environment: "test"),
            Fixtures.declaration("d9", tenant: "u", role: "member"),
        ]
    }

    @Test("the same batch twice changes nothing and returns the same bytes")
    func batchTwice() throws {
        let h = try StoreHarness()
        let first = try h.apply(Self.story())
        let usage = try h.scalar("SELECT string_agg(used_micros::text, ',' ORDER BY window_kind) FROM usage_windows")
        let second = try h.apply(Self.story())
        for (a, b) in zip(first, second) {
            guard case .applied = a, case .duplicate = b else {
                Issue.record("expected applied then duplicate"); continue
            }
            // Verdict and notifications byte for byte; the status (if any) is the tenant's current one.
            let stored = a.outputs.filter { $0.topic != Topics.tenantStatus }
            #expect(Array(b.outputs.prefix(stored.count)) == stored)
        }
        #expect(
            try h.scalar("SELECT string_agg(used_micros::text, ',' ORDER BY window_kind) FROM usage_windows") == usage)
        #expect(try h.scalar("SELECT count(*) FROM processed_events") == "6")
        #expect(try h.scalar("SELECT count(*) FROM tenant_transitions") == "2")
        h.database.drop()
    }

    @Test("the same event in another spelling is the same event")
    func respelled() throws {
        let h = try StoreHarness()
        let original = Fixtures.attempt("x1", tenant: "t", amount: "1")
        let first = try h.apply(original)
        let respelled = try JSONParser.parse(Array(original.utf8))
        guard case let .object(members) = respelled else {
            Issue.record("the fixture is not an object")
            return
        }
        let reordered = JSONWriter.string(.object(members.reversed()))
        let again = try h.apply(reordered)
        guard case .duplicate = again else { Issue.record("not a duplicate: \(again)"); return }
        #expect(again.outputs == first.outputs)
        h.database.drop()
    }

    @Test("the same event id with other content is a conflict and changes nothing")
    func conflict() throws {
        let h = try StoreHarness()
        try h.apply([Fixtures.declaration("d1", tenant: "t"), Fixtures.decision("a1", tenant: "t", action: "approve")])
        let first = try h.apply(Fixtures.attempt("x1", tenant: "t", amount: "10"))
        let other = try h.apply(Fixtures.attempt("x1", tenant: "t", amount: "20"))
        guard case let .conflict(reason) = other else { Issue.record("not a conflict"); return }
        #expect(reason.error == .idempotencyConflict)
        #expect(try h.scalar("SELECT used_micros FROM usage_windows WHERE window_kind = 'day'") == "10000000")
        // The original verdict stands and is what a redelivery of the original gets.
        #expect(try h.apply(Fixtures.attempt("x1", tenant: "t", amount: "10")).outputs == first.outputs)
        // Under another tenant the same event id is another event (contract v1.2): its own verdict, and the
        // first tenant's verdict and usage untouched.
        let elsewhere = try h.apply(Fixtures.attempt("x1", tenant: "elsewhere", amount: "10"))
        guard case .applied = elsewhere else { Issue.record("another tenant's x1 was not its own event"); return }
        #expect(
            Fixtures.values(elsewhere.outputs, topic: Topics.transactionVerdict).first?["reason"]?.stringValue
                == "live_access_not_approved")
        #expect(try h.apply(Fixtures.attempt("x1", tenant: "t", amount: "10")).outputs == first.outputs)
        #expect(try h.scalar("SELECT used_micros FROM usage_windows WHERE window_kind = 'day'") == "10000000")
        h.database.drop()
    }

    @Test("a verdict stored before v1.2, without max_amount_now and retry_at, is answered without them")
    func storedBeforeV12() throws {
        let h = try StoreHarness()
        try h.apply([Fixtures.declaration("d1", tenant: "t"), Fixtures.decision("a1", tenant: "t", action: "approve")])
        let json = Fixtures.attempt("x1", tenant: "t", amount: "10")
        let first = try h.apply(json)
        // What a worker before v1.2 stored for it: the same verdict without the two fields.
        guard case let .object(members) = first.verdict else { Issue.record("not an object"); return }
        #expect(members.map(\.key).contains("max_amount_now") && members.map(\.key).contains("retry_at"))
        let old = JSONWriter.bytes(.object(members.filter { $0.key != "max_amount_now" && $0.key != "retry_at" }))
        try h.connection().query(
            "UPDATE processed_events SET outputs = $1, verdict_encoding = NULL, " + spelledOut
                + " WHERE tenant_id = 't' AND event_id = 'x1'",
            [Topics.transactionVerdict + "\t" + String(decoding: old, as: UTF8.self)])
        let again = try h.apply(json)
        guard case .duplicate = again else { Issue.record("not a duplicate: \(again)"); return }
        #expect(again.outputs.first?.value == old, "the stored bytes, not a verdict made again")
        let served = try StoredVerdict.load(
            tenantId: "t", eventId: "x1", kind: .transactionAttempted, on: try h.connection())
        #expect(served == old, "serve's GET answers the stored bytes too")
        #expect(try h.scalar("SELECT used_micros FROM usage_windows WHERE window_kind = 'day'") == "10000000")
        h.database.drop()
    }

    @Test("a repeat inside one batch is a duplicate of the first")
    func withinBatch() throws {
        let h = try StoreHarness()
        let a = Fixtures.attempt("x1", tenant: "t", amount: "10", environment: "test")
        let outcomes = try h.apply([a, a])
        guard case .applied = outcomes[0], case .duplicate = outcomes[1] else { Issue.record("\(outcomes)"); return }
        #expect(outcomes[0].outputs == outcomes[1].outputs)
        h.database.drop()
    }
}

@Suite("Inputs the store must answer, not choke on")
struct StoreHostileInputTests {
    @Test("a live attempt dated outside any sane window is denied, and its batch still commits")
    func ancientAttempt() throws {
        let h = try StoreHarness()
        try h.apply([Fixtures.declaration("d1", tenant: "t"), Fixtures.decision("a1", tenant: "t", action: "approve")])
        let events = [
            Fixtures.event(
                Fixtures.attempt("old", tenant: "t", amount: "1", at: "0001-01-01T00:00:00Z"),
                timestamp: Fixtures.noon),
            Fixtures.event(Fixtures.attempt("ok", tenant: "t", amount: "1")),
        ]
        let outcomes = try h.store.apply(events)
        #expect(outcomes[0].verdict["reason"]?.stringValue == "occurred_at_skew")
        #expect(outcomes[1].verdict["outcome"]?.stringValue == "allowed")
        h.database.drop()
    }
}

@Suite("Hostile text is data, never SQL")
struct HostileTextTests {
    @Test("SQL in tenant ids, event ids and notes is stored and echoed as text")
    func sqlAsData() throws {
        let h = try StoreHarness()
        let tenant = "t'; DROP TABLE tenants; --"
        let outcome = try h.apply([
            Fixtures.declaration("d'); DELETE FROM processed_events; --", tenant: tenant),
            Fixtures.decision("a1", tenant: tenant, action: "deny", notes: "'); TRUNCATE usage_windows; --"),
        ])
        #expect(outcome[1].verdict["state"]?.stringValue == "production_denied")
        #expect(
            try h.scalar("SELECT review_notes FROM tenants WHERE tenant_id = $1", [tenant])
                == "'); TRUNCATE usage_windows; --")
        #expect(try h.scalar("SELECT count(*) FROM processed_events") == "2")
        h.database.drop()
    }
}

@Suite("Identifiers are bytes, in the database too")
struct ByteIDStoreTests {
    @Test("\"caf\\u{e9}\" and \"cafe\\u{301}\" in one batch are two tenants and two events, each with its own row")
    func oneBatch() throws {
        let h = try StoreHarness()
        let (composed, decomposed) = ("caf\u{e9}", "cafe\u{301}")
        let outcomes = try h.apply([
            Fixtures.declaration("d-1", tenant: composed),
            Fixtures.decision("a-1", tenant: composed, action: "approve"),
            Fixtures.attempt("x-\(composed)", tenant: composed, amount: "10"),
            Fixtures.attempt("x-\(decomposed)", tenant: decomposed, amount: "10"),
        ])
        #expect(outcomes[2].verdict["outcome"] == .string("allowed"))
        #expect(outcomes[3].verdict["reason"] == .string("live_access_not_approved"))
        #expect(try h.scalar("SELECT count(*) FROM tenants") == "2")
        #expect(try h.scalar("SELECT count(*) FROM processed_events WHERE event_id LIKE 'x-%'") == "2")
        #expect(try h.scalar("SELECT state FROM tenants WHERE tenant_id = $1", [decomposed]) == "sandbox_only")
        #expect(try h.scalar("SELECT state FROM tenants WHERE tenant_id = $1", [composed]) == "production_approved")
        #expect(try h.scalar("SELECT count(*) FROM usage_windows WHERE tenant_id = $1", [decomposed]) == "0")
        // Again, as a redelivery: each is a repeat of itself only.
        let again = try h.apply([Fixtures.attempt("x-\(decomposed)", tenant: decomposed, amount: "10")])
        guard case .duplicate = again[0] else { Issue.record("not a duplicate: \(again[0])"); return }
        #expect(again[0].verdict["reason"] == .string("live_access_not_approved"))
        h.database.drop()
    }
}
