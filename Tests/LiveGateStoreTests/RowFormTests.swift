import LiveGateCore
import LiveGateStore
import LiveGateTestSupport
import Postgres
import Testing

/// Issue 23, migration 15: an attempt's row of facts leaves out what the row already says (encoding 2), and every
/// answer from it is still the bytes first published; rows of encoding 1 (written before) still answer theirs.
@Suite("Rows of facts leave out what they already say")
struct RowFormTests {
    /// A tenant on the beta defaults, and one with an override, each with the kinds of attempt that differ in
    /// what their row can leave out.
    static let story: [String] = [
        Fixtures.attempt("x-not-approved", tenant: "d", amount: "10"),
        Fixtures.declaration("d1", tenant: "d"), Fixtures.decision("a1", tenant: "d", action: "approve"),
        Fixtures.attempt("x-allowed", tenant: "d", amount: "60"),
        Fixtures.attempt("x-per-tx", tenant: "d", amount: "150"),
        Fixtures.attempt("x-test", tenant: "d", amount: "5", environment: "test"),
        Fixtures.declaration("d2", tenant: "o"),
        Fixtures.decision("a2", tenant: "o", action: "approve", ceiling: #"{"daily":"150"}"#),
        Fixtures.attempt("y-allowed", tenant: "o", amount: "60"),
        Fixtures.attempt("y-day", tenant: "o", amount: "100"),
    ]

    /// Per attempt: `event_type`, `replay_micros`, `verdict_amount_micros`, `verdict_environment`, the ceiling's
    /// per-tx column, `booked_micros` and `booked_day`, as encoding 2 writes them ("-" for NULL).
    static let expected: [String: [String]] = [
        // Not replayed: the amount and environment stay.
        "x-not-approved": ["-", "-", "10000000", "live", "-", "-", "-"],
        // Booked: replay and amount are the booking, the environment live, the ceiling the defaults, the day its own.
        "x-allowed": ["-", "-", "-", "-", "-", "60000000", "-"],
        "x-per-tx": ["-", "150000000", "-", "-", "-", "-", "-"],  // denied by a ceiling: replayed, not booked
        "x-test": ["-", "-", "5000000", "test", "-", "-", "-"],  // the test environment: not replayed
        "y-allowed": ["-", "-", "-", "-", "100000000", "60000000", "-"],  // an override keeps its ceiling
        "y-day": ["-", "100000000", "-", "-", "100000000", "-", "-"],
    ]

    @Test("each attempt's row leaves out what it already says, and answers the bytes it published")
    func leftOut() throws {
        let h = try StoreHarness()
        let published = try applyStory(h)
        let rows = try h.connection().query(
            """
            SELECT event_id, verdict_encoding, coalesce(event_type, '-'), coalesce(replay_micros::text, '-'),
                   coalesce(verdict_amount_micros::text, '-'), coalesce(verdict_environment, '-'),
                   coalesce(ceiling_per_tx_micros::text, '-'), coalesce(booked_micros::text, '-'),
                   coalesce(booked_day::text, '-')
            FROM processed_events WHERE verdict_encoding IS NOT NULL ORDER BY event_id
            """
        ).rows
        #expect(rows.count == Self.expected.count)
        for row in rows {
            let id = row[0] ?? "?"
            #expect(row[1] == "2", "\(id) in encoding 2")
            #expect(Array(row[2...].map { $0 ?? "NULL" }) == Self.expected[id], "\(id)")
        }
        try expectAnswered(published, by: h)
        #expect(try Reconciler.run(url: h.database.url).isClean, "the reconciler reads the amounts left out")
        h.database.drop()
    }

    @Test("a row of encoding 1, every fact spelled out as migration 14 wrote it, answers the same bytes")
    func encodingOne() throws {
        #expect(VerdictFacts.encoding == 1, "both layouts rebuild with encoding 1; a new one needs a layout of its own")
        let h = try StoreHarness()
        let published = try applyStory(h)
        try h.connection().query(
            """
            UPDATE processed_events SET verdict_encoding = 1, event_type = 'transaction.attempted',
                replay_micros = coalesce(replay_micros, booked_micros),
                verdict_amount_micros = coalesce(verdict_amount_micros, replay_micros, booked_micros),
                verdict_environment = coalesce(verdict_environment, 'live'),
                booked_day = CASE WHEN booked_micros IS NOT NULL
                                  THEN coalesce(booked_day, (occurred_at AT TIME ZONE 'UTC')::date) END,
                ceiling_per_tx_micros = coalesce(ceiling_per_tx_micros, 100000000),
                ceiling_daily_micros = coalesce(ceiling_daily_micros, 500000000),
                ceiling_monthly_micros = coalesce(ceiling_monthly_micros, 2000000000),
                ceiling_disabled = coalesce(ceiling_disabled, false), ceiling_override = coalesce(ceiling_override, false)
            WHERE verdict_encoding = 2
            """)
        try expectAnswered(published, by: h)
        h.database.drop()
    }

    @Test(
        "the database refuses a row of facts that is neither encoding's form",
        arguments: [
            "UPDATE processed_events SET event_type = 'transaction.attempted' WHERE verdict_encoding = 2",
            "UPDATE processed_events SET verdict_encoding = 1 WHERE verdict_encoding = 2",
            "UPDATE processed_events SET ceiling_daily_micros = 1 WHERE verdict_encoding = 2",
            "UPDATE processed_events SET verdict_encoding = NULL WHERE verdict_encoding = 2",
            // Text without its booked day.
            """
            UPDATE processed_events SET event_type = 'transaction.attempted', verdict_encoding = NULL, outputs = 'x'
            WHERE booked_micros > 0
            """,
        ] as [SQL])
    func refused(update: SQL) throws {
        let h = try StoreHarness()
        try h.apply(Self.story)
        #expect(throws: PostgresError.self) { try h.connection().query(update) }
        h.database.drop()
    }

    /// Applies the story once; the verdict each attempt got, by event id.
    private func applyStory(_ h: StoreHarness) throws -> [String: [UInt8]] {
        var published: [String: [UInt8]] = [:]
        for json in Self.story {
            let outcome = try h.apply(json)
            let event = Fixtures.event(json)
            if event.type == .transactionAttempted { published[event.eventId] = outcome.outputs.first?.value }
        }
        return published
    }

    /// Each attempt of `published`, redelivered and read by serve's GET, answers its published bytes.
    private func expectAnswered(_ published: [String: [UInt8]], by h: StoreHarness) throws {
        for json in Self.story where Fixtures.event(json).type == .transactionAttempted {
            let event = Fixtures.event(json)
            let again = try h.apply(json)
            guard case .duplicate = again else { Issue.record("\(event.eventId) not a duplicate: \(again)"); continue }
            #expect(again.outputs.first?.value == published[event.eventId], "\(event.eventId)")
            let served = try StoredVerdict.load(
                tenantId: event.tenantId, eventId: event.eventId, kind: .transactionAttempted, on: try h.connection())
            #expect(served == published[event.eventId], "\(event.eventId) served")
        }
    }
}
