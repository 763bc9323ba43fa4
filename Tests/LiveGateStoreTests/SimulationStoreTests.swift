import LiveGateCore
import LiveGateStore
import LiveGateTestSupport
import Postgres
import Testing

/// `livegate simulate` over what the real store kept: the order the workers applied, the amounts they replay.
@Suite("Ceiling simulation on the stored history")
struct SimulationStoreTests {
    static func at(_ day: String, _ second: Int) -> String { "\(day)T12:00:0\(second)Z" }

    /// Approved with per_tx 250 ($500 a day, $2,000 a month). One batch on 11-29 holds a1 200, a2 200, a3 200
    /// (denied by the day), a1's failure and a4 200, which fits only because the failure came first in the batch;
    /// then a5 300 (over per_tx), a6 100, a7 50 (denied by the day) and a test attempt; on 11-30 b1 and b2 250, b3
    /// 10 (denied by the day) and b1 settled; on 12-01 c1 100.
    func story(_ h: StoreHarness) throws {
        let (d1, d2) = ("2026-11-29", "2026-11-30")
        try h.apply([Fixtures.declaration("d", tenant: "t", at: "2026-11-28T10:00:00Z")])
        try h.apply([
            Fixtures.decision(
                "ok", tenant: "t", action: "approve", at: "2026-11-28T11:00:00Z",
                ceiling: #"{"per_tx":"250.00","daily":null,"monthly":null}"#)
        ])
        try h.apply([
            Fixtures.attempt("a1", tenant: "t", amount: "200", at: Self.at(d1, 1)),
            Fixtures.attempt("a2", tenant: "t", amount: "200", at: Self.at(d1, 2)),
            Fixtures.attempt("a3", tenant: "t", amount: "200", at: Self.at(d1, 3)),
            Fixtures.resolution("r1", tenant: "t", attempt: "a1", at: Self.at(d1, 4)),
            Fixtures.attempt("a4", tenant: "t", amount: "200", at: Self.at(d1, 5)),
        ])
        try h.apply([
            Fixtures.attempt("a5", tenant: "t", amount: "300", at: Self.at(d1, 6)),
            Fixtures.attempt("a6", tenant: "t", amount: "100", at: Self.at(d1, 7)),
            Fixtures.attempt("a7", tenant: "t", amount: "50", at: Self.at(d1, 8)),
            Fixtures.attempt("t1", tenant: "t", amount: "90", at: Self.at(d1, 9), environment: "test"),
        ])
        try h.apply([
            Fixtures.attempt("b1", tenant: "t", amount: "250", at: Self.at(d2, 1)),
            Fixtures.attempt("b2", tenant: "t", amount: "250", at: Self.at(d2, 2)),
            Fixtures.attempt("b3", tenant: "t", amount: "10", at: Self.at(d2, 3)),
            Fixtures.resolution("r2", tenant: "t", attempt: "b1", resolution: "settled", at: Self.at(d2, 4)),
        ])
        try h.apply([Fixtures.attempt("c1", tenant: "t", amount: "100", at: "2026-12-01T12:00:01Z")])
        try h.apply([Fixtures.declaration("u-d", tenant: "u", at: "2026-11-28T10:00:00Z")])
    }

    func load(_ h: StoreHarness, _ tenant: String = "t", max: Int = SimulationHistory.defaultMaxAttempts) throws
        -> RetainedHistory
    {
        let loaded = try SimulationHistory.load(tenant, on: try h.connection(), maxAttempts: max)
        return try #require(loaded.history, "\(tenant) was never approved")
    }

    static func names(_ steps: [ReplayStep]) -> [String] {
        steps.map {
            switch $0 {
            case let .attempt(a): a.eventId
            case let .resolution(r): "\(r.kind.rawValue):\(r.attemptId)"
            }
        }
    }

    @Test("the ceiling in force reproduces every stored outcome, in the order the workers applied them")
    func current() throws {
        let h = try StoreHarness()
        try story(h)
        let history = try load(h)
        #expect(
            Self.names(history.steps) == [
                "a1", "a2", "a3", "failed:a1", "a4", "a5", "a6", "a7", "b1", "b2", "b3", "settled:b1", "c1",
            ])
        #expect(!history.truncated && history.keptFrom == nil)
        let report = CeilingSimulation.run(history, proposal: .current, rules: .standard)
        #expect(report.attempts == 11 && report.allowedThen == 7 && report.allowedNow == 7)
        #expect(report.newlyAllowedCount == 0 && report.newlyDeniedCount == 0)
        let raised = CeilingSimulation.run(
            history, proposal: CeilingProposal(daily: .set(.dollars(1000))), rules: .standard)
        #expect(raised.newlyAllowed == ["a3", "a7", "b3"] && raised.newlyAllowedAmount == .dollars(260))
        let lowered = CeilingSimulation.run(
            history, proposal: CeilingProposal(perTx: .platformDefault), rules: .standard)
        #expect(lowered.newlyDenied == ["a1", "a2", "a4", "b1", "b2"] && lowered.newlyAllowed == ["a7", "b3"])
        // Nothing was written: the tenant's usage and events are as the workers left them.
        #expect(try h.scalar("SELECT sum(used_micros) FROM usage_windows WHERE window_kind = 'month'") == "1100000000")
        h.database.drop()
    }

    @Test("the newest attempts only: windows that began before `from` start from what the older ones left")
    func truncated() throws {
        let h = try StoreHarness()
        try story(h)
        let history = try load(h, max: 3)
        #expect(history.truncated && Self.names(history.steps) == ["b2", "b3", "settled:b1", "c1"])
        let current = CeilingSimulation.run(history, proposal: .current, rules: .standard)
        #expect(current.newlyAllowedCount == 0 && current.newlyDeniedCount == 0 && current.attempts == 3)
        let raised = CeilingSimulation.run(
            history, proposal: CeilingProposal(daily: .set(.dollars(1000))), rules: .standard)
        #expect(raised.newlyAllowed == ["b3"])
        // November held 1,000 (b2 250 of it): 750 before b2, then 1,010.
        #expect(raised.peakMonthly.used == .dollars(1010) && raised.peakDaily.used == .dollars(510))
        #expect(raised.json["horizon"]?["truncated"] == .bool(true))
        h.database.drop()
    }

    @Test("a tenant never approved, or never seen, has nothing to replay")
    func neverApproved() throws {
        let h = try StoreHarness()
        try story(h)
        #expect(try SimulationHistory.load("u", on: try h.connection()) == .neverApproved)
        #expect(try SimulationHistory.load("nobody", on: try h.connection()) == .neverApproved)
        h.database.drop()
    }

    @Test("an approved tenant with no live attempt yet: an empty replay, not an error")
    func noAttempts() throws {
        let h = try StoreHarness()
        try h.apply([Fixtures.declaration("d", tenant: "v")])
        try h.apply([Fixtures.decision("ok", tenant: "v", action: "approve")])
        let report = CeilingSimulation.run(try load(h, "v"), proposal: .current, rules: .standard)
        #expect(report.attempts == 0 && report.from == nil && report.json["peak"]?["daily"]?["used"] == .string("0.00"))
        h.database.drop()
    }

    @Test("rows stored before migration 11 get their order (by their verdicts' broker time) and amounts back")
    func backfilled() throws {
        let source = try StoreHarness()
        try story(source)
        let old = try TestDatabase.create()
        let c = try PostgresConnection(url: old.url)
        try Migrations.apply(on: c, through: 10)
        let tables: [(String, SQL?)] = [
            ("tenants", nil), ("usage_windows", nil), ("threshold_notices", nil),
            // Migration 12 added what each declaration asked: the older table has only these.
            ("tenant_transitions", transitionColumnsBefore12),
            (
                "processed_events",
                "event_id, tenant_id, event_type, fingerprint, outputs, changed_tenant, booked_micros, booked_day, "
                    + "processed_at, occurred_at"
            ),
            (
                "attempt_resolutions",
                "attempt_id, tenant_id, event_id, resolution, released_micros, booked_day, recorded_at, signing_kid"
            ),
        ]
        try keepVerdictsAsText(in: source.database)
        try copyRows(tables, from: source.database, into: old, on: c)
        #expect(try Migrations.apply(on: c) == Array(11...Migrations.all.count))
        let migrated = try #require(try SimulationHistory.load("t", on: c).history)
        let stored = try load(source)
        #expect(Self.names(migrated.steps) == Self.names(stored.steps) && migrated.steps == stored.steps)
        #expect(migrated.usage == stored.usage)
        source.database.drop()
        old.drop()
    }
}
