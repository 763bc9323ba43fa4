import LiveGateCore
import LiveGateStore
import LiveGateTestSupport
import Testing

@Suite("Reconciliation")
struct ReconcilerTests {
    func story(_ h: StoreHarness) throws {
        try h.apply([Fixtures.declaration("d1", tenant: "t"), Fixtures.decision("a1", tenant: "t", action: "approve")])
        try h.apply((0..<7).map { Fixtures.attempt("x\($0)", tenant: "t", amount: "90") })
        try h.apply([Fixtures.attempt("y", tenant: "t", amount: "10", at: "2026-11-28T10:00:00Z")])
        try h.apply([Fixtures.attempt("z", tenant: "t", amount: "99", environment: "test")])
        // A failed attempt gives its $90 back, a settled one keeps it.
        try h.apply([
            Fixtures.resolution("r0", tenant: "t", attempt: "x0"),
            Fixtures.resolution("r1", tenant: "t", attempt: "x1", resolution: "settled"),
        ])
    }

    @Test("after real traffic, everything agrees")
    func clean() throws {
        let h = try StoreHarness()
        try story(h)
        let report = try Reconciler.run(url: h.database.url)
        #expect(report.isClean, "\(report.differences)")
        #expect(report.bookings == 6 && report.bookedTotal == .dollars(460))
        #expect(report.releases == 1 && report.releasedTotal == .dollars(90))
        h.database.drop()
    }

    @Test("a tampered counter and a tampered booking are both found")
    func tampered() throws {
        let h = try StoreHarness()
        try story(h)
        let c = try h.connection()
        try c.query(
            "UPDATE usage_windows SET used_micros = used_micros - 1 WHERE window_kind = 'day' AND window_start = '2026-11-28'"
        )
        try c.query("UPDATE processed_events SET booked_micros = 1, booked_day = '2026-11-29' WHERE event_id = 'z'")
        try c.query("UPDATE attempt_resolutions SET released_micros = 5 WHERE event_id = 'r0'")
        let report = try Reconciler.run(url: h.database.url)
        #expect(report.differences.contains("t day 2026-11-28: verdicts book 10.00, the counter says 9.999999"))
        #expect(report.differences.contains { $0.hasPrefix("t/z: booked 1 but the verdict is allowed") })
        #expect(report.differences.contains { $0.hasPrefix("t day 2026-11-29") })
        #expect(report.differences.contains("t/r0: released 0.000005 of an attempt that booked 90.00"))
        h.database.drop()
    }

    /// A booked attempt in encoding 2 keeps no amount of its own (its verdict's amount is its booking), so a booking
    /// changed alone is found by the counter it no longer matches, and its verdict by the digest it no longer
    /// rebuilds: a redelivery is refused rather than answered with other bytes.
    @Test("a tampered booking of a row that keeps no amount of its own: the counter and the digest find it")
    func tamperedCompactBooking() throws {
        let h = try StoreHarness()
        try story(h)
        let c = try h.connection()
        #expect(
            try h.scalar(
                "SELECT verdict_encoding::text || coalesce(verdict_amount_micros::text, '-') FROM processed_events WHERE event_id = 'y'"
            ) == "2-")
        try c.query("UPDATE processed_events SET booked_micros = 20000000 WHERE event_id = 'y'")
        let report = try Reconciler.run(url: h.database.url)
        #expect(report.differences.contains("t day 2026-11-28: verdicts book 20.00, the counter says 10.00"))
        #expect(throws: (any Error).self) {
            try h.apply(Fixtures.attempt("y", tenant: "t", amount: "10", at: "2026-11-28T10:00:00Z"))
        }
        h.database.drop()
    }
}
