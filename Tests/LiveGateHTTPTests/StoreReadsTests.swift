import Foundation
import LiveGateCore
import LiveGateStore
import LiveGateTestSupport
import Postgres
import Testing

@Suite("What serve reads from PostgreSQL: stored verdicts by tenant, the release watch")
struct StoreReadsTests {
    let database: TestDatabase
    let connection: PostgresConnection

    init() throws {
        database = try TestDatabase.create()
        connection = try PostgresConnection(url: database.url)
        try Migrations.apply(on: connection)
        for tenant in ["t-1", "t-2", "t-3", "t-4", "t-5"] {
            try connection.query("INSERT INTO tenants (tenant_id) VALUES ($1)", [tenant])
        }
    }

    @Test("a stored verdict is found by its tenant, id and kind only")
    func storedVerdict() throws {
        let verdict = #"{"event_id":"a-1","tenant_id":"t-1","outcome":"allowed"}"#
        try connection.query(
            """
            INSERT INTO processed_events (event_id, tenant_id, event_type, fingerprint, outputs, changed_tenant)
            VALUES ('a-1', 't-1', 'transaction.attempted', $1, $2, false)
            """, [String(repeating: "a", count: 64), "\(Topics.transactionVerdict)\t\(verdict)"])
        #expect(
            try StoredVerdict.load(tenantId: "t-1", eventId: "a-1", kind: .transactionAttempted, on: connection)
                == Array(verdict.utf8))
        #expect(
            try StoredVerdict.load(tenantId: "t-2", eventId: "a-1", kind: .transactionAttempted, on: connection) == nil)
        #expect(
            try StoredVerdict.load(tenantId: "t-1", eventId: "a-1", kind: .transactionResolved, on: connection) == nil)
        #expect(
            try StoredVerdict.load(tenantId: "t-1", eventId: "a-2", kind: .transactionAttempted, on: connection) == nil)
        database.drop()
    }

    @Test("release watch: tenants whose failed resolutions released today more than half of today's bookings")
    func releaseWatch() throws {
        let now = UTCInstant(millis: Int64(Date().timeIntervalSince1970 * 1000))
        let today = now.date, yesterday = CivilDate(epochDay: now.date.epochDay - 1)
        // (tenant, used today in dollars, released today of today's bookings, of yesterday's)
        let cases: [(String, Int64?, [Int64], [Int64])] = [
            ("t-1", 40, [60], []),  // booked 100, released 60: heavy
            ("t-2", 60, [20, 20], []),  // booked 100, released 40: not
            ("t-3", 50, [50], []),  // exactly half: not more than half
            ("t-4", 10, [], [500]),  // released yesterday's bookings: not today's
            ("t-5", nil, [10], []),  // everything booked today released (no usage row): heavy
        ]
        var n = 0
        for (tenant, used, releasedToday, releasedYesterday) in cases {
            if let used {
                try connection.query(
                    """
                    INSERT INTO usage_windows (tenant_id, window_kind, window_start, used_micros, limit_micros)
                    VALUES ($1, 'day', $2::date, $3::bigint, 500000000)
                    """, [tenant, today.description, String(used * 1_000_000)])
            }
            for (micros, day) in releasedToday.map({ ($0, today) }) + releasedYesterday.map({ ($0, yesterday) }) {
                n += 1
                try connection.query(
                    """
                    INSERT INTO attempt_resolutions (attempt_id, tenant_id, event_id, resolution, released_micros, booked_day)
                    VALUES ($1, $2, $3, 'failed', $4::bigint, $5::date)
                    """, ["a-\(n)", tenant, "r-\(n)", String(micros * 1_000_000), day.description])
            }
        }
        try connection.query(
            """
            INSERT INTO attempt_resolutions (attempt_id, tenant_id, event_id, resolution, released_micros, booked_day)
            VALUES ('a-s', 't-2', 'r-s', 'settled', 0, NULL)
            """)
        #expect(try ReleaseWatch.heavyTenants(at: now, on: connection) == 2)
        database.drop()
    }
}
