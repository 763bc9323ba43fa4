import LiveGateCore
import LiveGateStore
import LiveGateTestSupport
import Postgres
import Testing

/// Contract v1.1 in PostgreSQL: releases in the resolution's own transaction, thresholds once across batches
/// and redeliveries, metering with no limit, and the new tenant and history columns.
@Suite("Contract v1.1 in the store")
struct MissionStoreTests {
    func approved() throws -> StoreHarness {
        let h = try StoreHarness()
        try h.apply([Fixtures.declaration("d1", tenant: "t"), Fixtures.decision("a1", tenant: "t", action: "approve")])
        return h
    }

    @Test("a failed resolution releases in its own transaction; redelivered it is a duplicate; again it is 409")
    func releases() throws {
        let h = try approved()
        try h.apply([
            Fixtures.attempt("x1", tenant: "t", amount: "100"), Fixtures.attempt("x2", tenant: "t", amount: "40"),
        ])
        let first = try h.apply(Fixtures.resolution("r1", tenant: "t", attempt: "x1"))
        #expect(first.verdict["released"] == .string("100.00"))
        #expect(
            try h.scalar("SELECT string_agg(used_micros::text, ',' ORDER BY window_kind) FROM usage_windows")
                == "40000000,40000000")
        #expect(
            try h.scalar("SELECT resolution || ':' || released_micros || ':' || booked_day FROM attempt_resolutions")
                == "failed:100000000:2026-11-29")
        let again = try h.apply(Fixtures.resolution("r1", tenant: "t", attempt: "x1"))
        guard case .duplicate = again else { Issue.record("not a duplicate: \(again)"); return }
        #expect(again.outputs[0].value == first.outputs[0].value)
        #expect(
            try h.apply(Fixtures.resolution("r2", tenant: "t", attempt: "x1")).verdict["code"]
                == .string("ALREADY_RESOLVED"))
        #expect(
            try h.scalar("SELECT string_agg(used_micros::text, ',' ORDER BY window_kind) FROM usage_windows")
                == "40000000,40000000")
        h.database.drop()
    }

    @Test("an attempt and its resolution in one batch; an attempt resolved before it exists is 404")
    func sameBatch() throws {
        let h = try approved()
        let outcomes = try h.apply([
            Fixtures.resolution("r0", tenant: "t", attempt: "x1"),
            Fixtures.attempt("x1", tenant: "t", amount: "70"),
            Fixtures.resolution("r1", tenant: "t", attempt: "x1"),
        ])
        #expect(outcomes[0].verdict["status"] == .number("404") && outcomes[2].verdict["released"] == .string("70.00"))
        #expect(try h.scalar("SELECT count(*) FROM usage_windows WHERE used_micros = 0") == "2")
        h.database.drop()
    }

    @Test("spend while disabled is stored with no limit; threshold notices are stored once per window")
    func meteringAndThresholds() throws {
        let h = try approved()
        try h.apply(
            Fixtures.decision("c1", tenant: "t", action: "set_ceiling", notes: nil, ceiling: #"{"disabled":true}"#))
        try h.apply(Fixtures.attempt("x1", tenant: "t", amount: "600"))
        #expect(
            try h.scalar("SELECT count(*) FROM usage_windows WHERE limit_micros IS NULL AND used_micros = 600000000")
                == "2")
        try h.apply(
            Fixtures.decision("c2", tenant: "t", action: "set_ceiling", notes: nil, ceiling: #"{"disabled":false}"#))
        let denied = try h.apply(Fixtures.attempt("x2", tenant: "t", amount: "1"))
        #expect(Fixtures.values(denied.outputs, topic: Topics.notification).count == 3)
        let redelivered = try h.apply(Fixtures.attempt("x2", tenant: "t", amount: "1"))
        #expect(redelivered.outputs.map(\.value) == denied.outputs.map(\.value), "the notices come back byte for byte")
        #expect(
            Fixtures.values(
                try h.apply(Fixtures.attempt("x3", tenant: "t", amount: "1")).outputs, topic: Topics.notification
            ).isEmpty)
        #expect(
            try h.scalar("SELECT string_agg(window_kind || ':' || template, ',') FROM threshold_notices")
                == "day:ceiling_reached")
        h.database.drop()
    }

    @Test("tenants keep the override's expiry and the suggestion; the history the ceiling before and after")
    func columns() throws {
        let h = try StoreHarness()
        try h.apply([
            Fixtures.declaration("d1", tenant: "t"),
            Fixtures.decision("a1", tenant: "t", action: "approve", extra: [#""use_suggested_ceiling":true"#]),
            Fixtures.decision(
                "c1", tenant: "t", action: "set_ceiling", notes: nil,
                ceiling: #"{"daily":"50","expires_at":"2026-12-01T00:00:00Z"}"#),
        ])
        #expect(
            try h.scalar(
                """
                SELECT concat_ws(',', suggested_per_tx_micros, suggested_daily_micros, suggested_monthly_micros,
                                 override_expires_at AT TIME ZONE 'UTC', daily_micros) FROM tenants
                """) == "100000000,400000000,1500000000,2026-12-01 00:00:00,50000000")
        #expect(
            try h.scalar("SELECT ceiling_before FROM tenant_transitions WHERE event_id = 'c1'")
                == #"{"per_tx":"100.00","daily":"400.00","monthly":"1500.00","disabled":false,"expires_at":null}"#)
        #expect(
            try h.scalar("SELECT ceiling FROM tenant_transitions WHERE event_id = 'c1'")
                == #"{"per_tx":null,"daily":"50.00","monthly":null,"disabled":false,"expires_at":"2026-12-01T00:00:00.000Z"}"#
        )
        // A fresh store reads the same tenant back.
        let report = try TenantReport.load("t", at: RFC3339.parse("2026-11-29T12:00:00Z")!, url: h.database.url)
        #expect(report.tenant.override.expiresAt == RFC3339.parse("2026-12-01T00:00:00Z"))
        #expect(report.tenant.suggested?.monthly == .dollars(1500))
        h.database.drop()
    }
}

@Suite("Contract v1.1 in the store: a batch that releases more than it books")
struct NetReleaseTests {
    @Test("a failed $100 and a new $30 in one batch: one transaction, the window down by $70")
    func netRelease() throws {
        let h = try StoreHarness()
        try h.apply([Fixtures.declaration("d1", tenant: "t"), Fixtures.decision("a1", tenant: "t", action: "approve")])
        try h.apply(Fixtures.attempt("x1", tenant: "t", amount: "100"))
        let outcomes = try h.apply([
            Fixtures.resolution("r1", tenant: "t", attempt: "x1"), Fixtures.attempt("x2", tenant: "t", amount: "30"),
        ])
        #expect(
            outcomes[0].verdict["released"] == .string("100.00") && outcomes[1].verdict["outcome"] == .string("allowed")
        )
        #expect(
            try h.scalar(
                "SELECT string_agg(used_micros || '/' || limit_micros, ',' ORDER BY window_kind) FROM usage_windows")
                == "30000000/500000000,30000000/2000000000")
        h.database.drop()
    }
}
