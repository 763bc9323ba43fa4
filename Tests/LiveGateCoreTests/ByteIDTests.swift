import LiveGateCore
import LiveGateTestSupport
import Testing

/// `"caf\u{e9}"` and `"cafe\u{301}"` are equal Swift strings and two different ids to the contract.
@Suite("Identifiers are bytes")
struct ByteIDTests {
    static let composed = "caf\u{e9}"
    static let decomposed = "cafe\u{301}"

    @Test("ids that Swift calls equal are different keys")
    func keys() {
        #expect(Self.composed == Self.decomposed)  // what the contract must not inherit
        #expect(ByteID(Self.composed) != ByteID(Self.decomposed))
        #expect(Set([ByteID(Self.composed), ByteID(Self.decomposed)]).count == 2)
        #expect(
            UsageKey(tenantId: Self.composed, window: .day(containing: RFC3339.parse(Fixtures.noon)!))
                != UsageKey(tenantId: Self.decomposed, window: .day(containing: RFC3339.parse(Fixtures.noon)!)))
    }

    @Test("in one batch: two tenants, two events, one approved and one not")
    func oneBatch() {
        var ledger = Ledger(rules: .standard, tenants: [:], usage: [:], processed: [:])
        let events = [
            Fixtures.declaration("d-\(Self.composed)", tenant: Self.composed),
            Fixtures.decision("a-\(Self.composed)", tenant: Self.composed, action: "approve"),
            Fixtures.attempt("x-\(Self.composed)", tenant: Self.composed, amount: "10"),
            Fixtures.attempt("x-\(Self.decomposed)", tenant: Self.decomposed, amount: "10"),
        ].map { Fixtures.event($0) }
        #expect(Ledger.requirements(for: events).tenantIds.count == 2)
        #expect(Ledger.requirements(for: events).events.count == 4)
        let outcomes = events.map { ledger.apply($0) }
        guard case .applied = outcomes[3] else { Issue.record("the second attempt was taken for a repeat"); return }
        let verdicts = outcomes[2...].map { Fixtures.values($0.outputs, topic: Topics.transactionVerdict)[0] }
        #expect(verdicts[0]["outcome"] == .string("allowed"))
        #expect(verdicts[1]["reason"] == .string("live_access_not_approved"))
        #expect(Array(verdicts[1]["tenant_id"]?.stringValue?.utf8 ?? "".utf8) == Array(Self.decomposed.utf8))
        #expect(ledger.changedTenants.count == 1)
    }

    @Test(
        "one event id: under tenants that differ only in normalization two events; in one tenant, content that does is a conflict"
    )
    func fingerprints() {
        var ledger = Ledger(rules: .standard, tenants: [:], usage: [:], processed: [:])
        func attempt(_ tenant: String, agent: String) -> InputEvent {
            Fixtures.event(
                Fixtures.attempt("x", tenant: tenant, amount: "1", environment: "test")
                    .replacing("agent-5", with: agent))
        }
        _ = ledger.apply(attempt(Self.composed, agent: Self.composed))
        guard case .applied = ledger.apply(attempt(Self.decomposed, agent: Self.composed)) else {
            Issue.record("the other tenant's x was taken for a repeat"); return
        }
        #expect(ledger.apply(attempt(Self.composed, agent: Self.decomposed)).deadLetter?.error == .idempotencyConflict)
    }

    @Test("member names that differ in bytes are two members, not a duplicate")
    func memberNames() throws {
        let json = try JSONParser.parse(Array("{\"\(Self.composed)\":1,\"\(Self.decomposed)\":2}".utf8))
        guard case let .object(members) = json else {
            Issue.record("not an object")
            return
        }
        #expect(members.count == 2)
    }
}
