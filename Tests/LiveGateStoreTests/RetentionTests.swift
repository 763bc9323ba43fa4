import LiveGateCore
import LiveGateStore
import LiveGateTestSupport
import Postgres
import Testing

@Suite("livegate prune: what is kept, what goes, and nothing counted twice after")
struct RetentionTests {
    static let november = "2026-11-10T12:00:00Z"
    static let december = "2026-12-02T12:00:00Z"
    /// Eight days after this, the idempotency cutoff is 2026-12-12 and the first month kept is December.
    static let now = UTCInstant(millis: 1_797_724_800_000)  // 2026-12-20T00:00:00Z

    /// A tenant approved in November; attempts booked and not booked in November and December, and a
    /// failed payment in November that gave its headroom back. Each row dated when it would have been.
    func story(_ h: StoreHarness) throws {
        try h.apply([Fixtures.declaration("d", tenant: "t", at: Self.november)])
        try h.apply([Fixtures.decision("a", tenant: "t", action: "approve", at: Self.november)])
        try h.apply([
            Fixtures.attempt("old-booked", tenant: "t", amount: "10", at: Self.november),
            Fixtures.attempt("old-test", tenant: "t", amount: "5", at: Self.november, environment: "test"),
            Fixtures.attempt("old-kept", tenant: "t", amount: "3", at: Self.november),
        ])
        try h.apply([Fixtures.resolution("old-failed", tenant: "t", attempt: "old-booked", at: Self.november)])
        try h.apply([
            Fixtures.attempt("new-booked", tenant: "t", amount: "20", at: Self.december),
            Fixtures.attempt("new-test", tenant: "t", amount: "5", at: Self.december, environment: "test"),
        ])
        let db = try h.connection()
        try db.query(
            "UPDATE processed_events SET processed_at = $1::timestamptz WHERE event_id NOT LIKE 'new-%'",
            [Self.november])
        try db.query(
            "UPDATE processed_events SET processed_at = $1::timestamptz WHERE event_id LIKE 'new-%'", [Self.december])
        try db.query("UPDATE attempt_resolutions SET recorded_at = $1::timestamptz", [Self.november])
        try db.query(
            """
            INSERT INTO worker_heartbeats (group_id, member, started_at, seen_at) VALUES
              ('livegate', 'gone', '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z'),
              ('livegate', 'live', '2026-12-19T23:00:00Z', '2026-12-19T23:59:00Z')
            """)
    }

    func ids(_ h: StoreHarness) throws -> [String] {
        try h.connection().query("SELECT event_id FROM processed_events ORDER BY event_id").rows.compactMap { $0[0] }
    }

    @Test("a dry run counts; pruning keeps declarations, decisions and this month's bookings, reconcile stays clean")
    func keepsWhatMatters() throws {
        let h = try StoreHarness()
        try story(h)
        var policy = Retention.Policy()
        policy.chunk = 1  // every step runs several of its chunk transactions

        let dry = try Retention.prune(url: h.database.url, policy: policy, now: Self.now, dryRun: true)
        #expect(try ids(h).count == 8, "a dry run removes nothing")
        let done = try Retention.prune(url: h.database.url, policy: policy, now: Self.now)
        #expect(dry == done)
        // Four attempts (three in November, the December test one: no booking to keep), the November resolution
        // (its release and its idempotency record), November's day and month windows, the stale heartbeat.
        #expect(
            done.attempts == 4 && done.resolutions == 2 && done.usageWindows == 2 && done.heartbeats == 1, "\(done)")
        #expect(done.keptFrom.description == "2026-12-01")
        #expect(try ids(h) == ["a", "d", "new-booked"])
        let windows = try h.scalar(
            "SELECT string_agg(window_kind || ' ' || window_start, ', ' ORDER BY window_kind) FROM usage_windows")
        #expect(windows == "day 2026-12-02, month 2026-12-01", "\(windows ?? "none")")
        #expect(try h.scalar("SELECT string_agg(member, ',') FROM worker_heartbeats") == "live")

        let report = try Reconciler.run(url: h.database.url)
        #expect(report.isClean, "\(report.differences)")
        #expect(report.keptFrom == "2026-12-01" && report.bookings == 1)

        // Pruning again finds nothing more.
        #expect(try Retention.prune(url: h.database.url, policy: policy, now: Self.now).total == 0)
    }

    @Test("a pruned attempt published again is denied by the broker's timestamp; a kept one is answered from the store")
    func nothingCountedTwice() throws {
        let h = try StoreHarness()
        try story(h)
        let kept = try h.store.apply([
            Fixtures.event(Fixtures.attempt("new-booked", tenant: "t", amount: "20", at: Self.december))
        ])[0]
        _ = try Retention.prune(url: h.database.url, policy: Retention.Policy(), now: Self.now)
        let usedBefore = try h.scalar("SELECT used_micros FROM usage_windows WHERE window_kind = 'month'")

        // A resolution of a pruned attempt finds no attempt to give headroom back for.
        let resolution = try h.apply(
            Fixtures.resolution("old-failed", tenant: "t", attempt: "old-booked", at: Self.november))
        #expect(resolution.verdict["code"]?.stringValue == "UNKNOWN_ATTEMPT", "\(resolution.verdict)")
        // Published again on 2026-12-20: the record's timestamp is the broker's, 40 days after occurred_at.
        let again = try h.store.apply([
            Fixtures.event(
                Fixtures.attempt("old-booked", tenant: "t", amount: "10", at: Self.november),
                timestamp: Self.now.description)
        ])[0]
        #expect(
            again.verdict["outcome"]?.stringValue == "denied"
                && again.verdict["reason"]?.stringValue == "occurred_at_skew",
            "\(again.verdict)")
        #expect(try h.scalar("SELECT used_micros FROM usage_windows WHERE window_kind = 'month'") == usedBefore)

        let repeated = try h.store.apply([
            Fixtures.event(Fixtures.attempt("new-booked", tenant: "t", amount: "20", at: Self.december))
        ])[0]
        guard case .duplicate = repeated else { Issue.record("a kept attempt was applied again: \(repeated)"); return }
        #expect(repeated.outputs.first?.value == kept.outputs.first?.value)
        #expect(try Reconciler.run(url: h.database.url).isClean)
    }
}
