import LiveGateCore
import LiveGateStore
import LiveGateTestSupport
import Postgres
import Testing

/// Issue 23: attempts keep their verdict's facts (migration 14), and every answer built from them is the bytes
/// first published: a redelivery, serve's GET, and the outputs after the verdict (threshold notices).
@Suite("Verdicts kept as facts")
struct VerdictStorageTests {
    /// Every kind of attempt verdict a tenant can get, in one story.
    static let story: [(json: String, facts: Bool)] = [
        (Fixtures.attempt("x-not-approved", tenant: "t", amount: "10"), true),
        (Fixtures.declaration("d1", tenant: "t"), false),
        (
            Fixtures.decision(
                "a1", tenant: "t", action: "approve",
                ceiling: #"{"per_tx":"100","daily":"150","monthly":"2000","expires_at":"2099-01-01T00:00:00Z"}"#),
            false
        ),
        (Fixtures.attempt("x-allowed", tenant: "t", amount: "60"), true),
        (Fixtures.attempt("x-warning", tenant: "t", amount: "70.25"), true),  // crosses 80 %: a notice follows
        (Fixtures.attempt("x-day", tenant: "t", amount: "40"), true),  // the day is short: denied, reached notice
        (Fixtures.attempt("x-per-tx", tenant: "t", amount: "150"), true),
        (Fixtures.attempt("x-test", tenant: "t", amount: "5", environment: "test"), true),
        (Fixtures.attempt("x-invalid", tenant: "t", amount: "1.2345678"), false),  // a 400 with field errors
        (
            Fixtures.decision("c1", tenant: "t", action: "set_ceiling", notes: nil, ceiling: #"{"disabled":true}"#),
            false
        ),
        (Fixtures.attempt("x-disabled", tenant: "t", amount: "99"), true),
    ]

    @Test("a redelivery and serve's GET get the published bytes, from facts or from text")
    func answeredByteForByte() throws {
        let h = try StoreHarness()
        var first: [String: [OutputRecord]] = [:]
        for (json, _) in Self.story {
            let outcome = try h.apply(json)
            guard case .applied = outcome else { Issue.record("not applied: \(outcome)"); continue }
            first[try #require(Fixtures.event(json).eventId)] = outcome.outputs
        }
        #expect(first["x-warning"]?.count ?? 0 > 1 && first["x-day"]?.count ?? 0 > 1, "each with its threshold notice")
        for (json, _) in Self.story {
            let id = Fixtures.event(json).eventId
            let again = try h.apply(json)
            guard case .duplicate = again else { Issue.record("\(id) not a duplicate: \(again)"); continue }
            // A repeat carries the tenant's status as it is now, not as it was: compare what was kept.
            func kept(_ outputs: [OutputRecord]) -> [OutputRecord] {
                outputs.filter { $0.topic != Topics.tenantStatus }
            }
            let published = try #require(first[id])
            #expect(kept(again.outputs) == kept(published), "\(id)")
            guard Fixtures.event(json).type == .transactionAttempted else { continue }
            let served = try StoredVerdict.load(
                tenantId: "t", eventId: id, kind: .transactionAttempted, on: try h.connection())
            #expect(served == published.first?.value, "\(id)")
        }
        h.database.drop()
    }

    @Test("every attempt but the 400 keeps facts; only notices stay as text; fingerprints are 32 bytes")
    func whatIsKept() throws {
        let h = try StoreHarness()
        for (json, _) in Self.story { try h.apply(json) }
        let rows = try h.connection().query(
            """
            SELECT event_id, verdict_encoding IS NOT NULL, outputs IS NOT NULL, octet_length(fingerprint_sha256),
                   fingerprint IS NULL
            FROM processed_events ORDER BY applied_seq
            """
        ).rows
        #expect(rows.count == Self.story.count)
        for (row, step) in zip(rows, Self.story) {
            let id = row[0] ?? "?"
            #expect(row[1] == (step.facts ? "t" : "f"), "\(id) kept as facts")
            let notices = id == "x-warning" || id == "x-day"
            #expect(row[2] == (!step.facts || notices ? "t" : "f"), "\(id) keeps text")
            #expect(row[3] == "32" && row[4] == "t", "\(id) fingerprint")
        }
        h.database.drop()
    }

    @Test(
        "instants at the edges come back to the millisecond: before 1970, a day's last millisecond, year 9999",
        arguments: ["1969-07-20T23:59:59.999Z", "2026-12-31T23:59:59.999Z", "2000-02-29T00:00:00.000Z"])
    func edges(at: String) throws {
        let h = try StoreHarness()
        try h.apply([
            Fixtures.declaration("d1", tenant: "t", at: at),
            Fixtures.decision(
                "a1", tenant: "t", action: "approve", at: at,
                ceiling: #"{"daily":"150","expires_at":"9999-12-31T23:59:59.999Z"}"#),
        ])
        let json = Fixtures.attempt("x1", tenant: "t", amount: "60", at: at)
        let first = try h.apply(json)
        #expect(first.verdict["outcome"] == .string("allowed"), "\(first.verdict)")
        #expect(try h.scalar("SELECT count(*) FROM processed_events WHERE verdict_encoding IS NOT NULL") == "1")
        let again = try h.apply(json)
        guard case .duplicate = again else { Issue.record("not a duplicate: \(again)"); return }
        #expect(again.outputs.first == first.outputs.first)
        let served = try StoredVerdict.load(
            tenantId: "t", eventId: "x1", kind: .transactionAttempted, on: try h.connection())
        #expect(served == first.outputs.first?.value)
        h.database.drop()
    }

    @Test("a row from before migration 14 (text, hex fingerprint) is still a duplicate answered from its text")
    func rowsFromBefore() throws {
        let h = try StoreHarness()
        let json = Fixtures.attempt("x1", tenant: "t", amount: "10")
        let first = try h.apply(json)
        let text = Topics.transactionVerdict + "\t" + String(decoding: first.outputs[0].value, as: UTF8.self)
        try h.connection().query(
            """
            UPDATE processed_events SET outputs = $1, verdict_encoding = NULL, decided_at = NULL,
                fingerprint = encode(fingerprint_sha256, 'hex'), fingerprint_sha256 = NULL,
            """ + spelledOut + " WHERE tenant_id = 't' AND event_id = 'x1'", [text])
        let again = try h.apply(json)
        guard case .duplicate = again else { Issue.record("not a duplicate: \(again)"); return }
        #expect(again.outputs == first.outputs)
        h.database.drop()
    }

    @Test(
        "a verdict whose facts would rebuild other bytes, or kept in an encoding this build does not know, is refused",
        arguments: [
            // A newer LiveGate's encoding (its schema would allow it; this one's refuses it, so the test drops that).
            """
            ALTER TABLE processed_events DROP CONSTRAINT processed_events_verdict_facts,
                DROP CONSTRAINT processed_events_type_known;
            UPDATE processed_events SET verdict_encoding = 3
            """,
            "UPDATE processed_events SET verdict_digest = verdict_digest + 1",  // an encoder that drifted reads so
            "UPDATE processed_events SET verdict_reason = 'another_reason'",
        ] as [SQL])
    func refused(tampering: SQL) throws {
        let h = try StoreHarness()
        let json = Fixtures.attempt("x1", tenant: "t", amount: "10")
        try h.apply(json)
        try h.connection().execute(script: tampering)
        #expect(throws: (any Error).self) { try h.apply(json) }
        #expect(throws: (any Error).self) {
            try StoredVerdict.load(tenantId: "t", eventId: "x1", kind: .transactionAttempted, on: try h.connection())
        }
        h.database.drop()
    }
}
