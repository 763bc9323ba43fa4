import LiveGateCore
import LiveGateStore
import LiveGateTestSupport
import Testing

@Suite("A tenant's life, against PostgreSQL")
struct LifecycleTests {
    func outcome(_ h: StoreHarness, _ id: String, _ amount: String, at: String = Fixtures.noon) throws -> JSONValue {
        try h.apply(Fixtures.attempt(id, tenant: "t-42", amount: amount, at: at)).verdict
    }

    @Test("declare, approve, spend to each ceiling, suspend, reinstate, override, disable")
    func scripted() throws {
        let h = try StoreHarness()
        let t = "t-42"
        #expect(try outcome(h, "a0", "1")["reason"]?.stringValue == "live_access_not_approved")
        let testSpend = try h.apply(Fixtures.attempt("a0t", tenant: t, amount: "5000", environment: "test")).verdict
        #expect(testSpend["outcome"]?.stringValue == "allowed")

        let declared = try h.apply(Fixtures.declaration("d1", tenant: t))
        #expect(declared.verdict["status"] == .number("202"))
        let queue = Fixtures.values(declared.outputs, topic: Topics.notification)
        #expect(queue.map { $0["audience"]?.stringValue } == ["platform_admins"])
        #expect(Fixtures.values(declared.outputs, topic: Topics.tenantStatus).first?["version"] == .number("1"))

        let approved = try h.apply(Fixtures.decision("a1", tenant: t, action: "approve", notes: "Looks good"))
        let notices = Fixtures.values(approved.outputs, topic: Topics.notification)
        #expect(notices.map { $0["channel"]?.stringValue } == ["email", "in_app"])
        #expect(notices.first?["recipient"]?.stringValue == "owner@example.com")
        #expect(notices.first?["notification_id"]?.stringValue == "t-42/a1/email/tenant_owner")
        #expect(notices.first?["template"]?.stringValue == "production_access_approved")
        let status = Fixtures.values(approved.outputs, topic: Topics.tenantStatus).first
        #expect(status?["live_allowed"] == .bool(true) && status?["version"] == .number("2"))

        // Per transaction, then the UTC day: $500 exactly, then not one micro-dollar more.
        #expect(try outcome(h, "p1", "100.000001")["reason"]?.stringValue == "exceeds_tenant_beta_ceiling_per_tx")
        for i in 0..<5 { #expect(try outcome(h, "day-\(i)", "100")["outcome"]?.stringValue == "allowed") }
        let dayFull = try outcome(h, "day-5", "0.000001")
        #expect(dayFull["reason"]?.stringValue == "exceeds_tenant_beta_ceiling_daily")
        #expect(dayFull["used"]?.stringValue == "500.00" && dayFull["remaining"]?.stringValue == "0.00")
        #expect(dayFull["resets_at"]?.stringValue == "2026-11-30T00:00:00.000Z")

        // The UTC month: three more days of $500 reach $2,000 exactly; a fifth day is refused.
        for day in ["26", "27", "28"] {
            for i in 0..<5 {
                let v = try outcome(h, "m\(day)-\(i)", "100", at: "2026-11-\(day)T08:00:00Z")
                #expect(v["outcome"]?.stringValue == "allowed")
            }
        }
        let monthFull = try outcome(h, "m25", "0.000001", at: "2026-11-25T08:00:00Z")
        #expect(monthFull["reason"]?.stringValue == "exceeds_tenant_beta_ceiling_monthly")
        #expect(monthFull["window_start"]?.stringValue == "2026-11-01T00:00:00.000Z")
        #expect(monthFull["resets_at"]?.stringValue == "2026-12-01T00:00:00.000Z")
        #expect(try outcome(h, "dec-1", "100", at: "2026-12-01T00:00:00Z")["outcome"]?.stringValue == "allowed")

        // Suspension stops live money; reinstatement restores it and says so.
        try h.apply(Fixtures.decision("s1", tenant: t, action: "suspend", notes: "Chargebacks"))
        #expect(
            try outcome(h, "dec-2", "1", at: "2026-12-01T00:00:00Z")["reason"]?.stringValue
                == "live_access_not_approved")
        let reinstated = try h.apply(Fixtures.decision("r1", tenant: t, action: "approve", notes: nil))
        #expect(
            Fixtures.values(reinstated.outputs, topic: Topics.notification).first?["template"]?.stringValue
                == "production_access_reinstated")

        // An override raises one limit; disabling lifts the ceiling, and what is spent meanwhile still counts
        // (metered, with no limit on the row).
        try h.apply(
            Fixtures.decision("c1", tenant: t, action: "set_ceiling", notes: nil, ceiling: #"{"per_tx":"250.00"}"#))
        let big = try outcome(h, "dec-3", "250", at: "2026-12-01T00:00:00Z")
        #expect(big["outcome"]?.stringValue == "allowed")
        #expect(
            big["ceiling"]?["source"]?.stringValue == "override" && big["ceiling"]?["per_tx"]?.stringValue == "250.00")
        try h.apply(
            Fixtures.decision("c2", tenant: t, action: "set_ceiling", notes: nil, ceiling: #"{"disabled":true}"#))
        #expect(try outcome(h, "dec-4", "99999", at: "2026-12-01T00:00:00Z")["outcome"]?.stringValue == "allowed")

        #expect(
            try h.scalar(
                "SELECT used_micros FROM usage_windows WHERE window_kind = 'month' AND window_start = '2026-11-01'")
                == "2000000000")
        #expect(
            try h.scalar(
                "SELECT used_micros FROM usage_windows WHERE window_kind = 'month' AND window_start = '2026-12-01'")
                == "100349000000")
        #expect(try h.scalar("SELECT count(*) FROM usage_windows WHERE limit_micros IS NULL") == "2")
        #expect(try h.scalar("SELECT count(*) FROM usage_windows WHERE used_micros > limit_micros") == "0")
        #expect(
            try h.scalar("SELECT string_agg(action || ':' || to_state, ',' ORDER BY id) FROM tenant_transitions")
                == "declare:declaration_pending,approve:production_approved,suspend:production_suspended,"
                + "approve:production_approved,set_ceiling:production_approved,set_ceiling:production_approved")
        #expect(try h.scalar("SELECT version FROM tenants WHERE tenant_id = $1", [t]) == "6")
        h.database.drop()
    }

    @Test("a denied tenant may declare again; the new review clears the old notes")
    func redeclare() throws {
        let h = try StoreHarness()
        try h.apply(Fixtures.declaration("d1", tenant: "t"))
        try h.apply(Fixtures.decision("n1", tenant: "t", action: "deny", notes: "Need a website"))
        let again = try h.apply(Fixtures.declaration("d2", tenant: "t"))
        #expect(again.verdict["previous_state"]?.stringValue == "production_denied")
        #expect(Fixtures.values(again.outputs, topic: Topics.tenantStatus).first?["review_notes"] == .null)
        let third = try h.apply(Fixtures.declaration("d3", tenant: "t"))
        #expect(third.verdict["reason"]?.stringValue == "state_does_not_allow_declaration")
        #expect(third.verdict["code"] == .null && third.verdict["status"] == .number("403"))
        h.database.drop()
    }
}
