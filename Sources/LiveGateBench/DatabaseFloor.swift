import Foundation
import Postgres

/// The floor of the database itself: the minimal SQL an attempt needs (record it once, add it to its
/// tenant's day and month usage), batched 200 to a transaction, with no Kafka and no JSON. LiveGate can
/// only approach this; the ratio says how much the rest of the pipeline costs.
enum DatabaseFloor {
    static let batch = 200

    /// Attempts a second over `attempts` attempts on `tenants` tenants.
    static func measure(url: String, attempts: Int, tenants: Int) throws -> Double {
        let db = try PostgresConnection(url: url)
        try db.query("CREATE TABLE floor_events (event_id text PRIMARY KEY, tenant_id text NOT NULL, amount bigint NOT NULL)")
        try db.query("""
            CREATE TABLE floor_usage (tenant_id text, window_start date, used bigint NOT NULL CHECK (used >= 0),
                                      PRIMARY KEY (tenant_id, window_start))
            """)
        let started = Date()
        var i = 0
        while i < attempts {
            let n = min(batch, attempts - i)
            let ids = (i..<i + n).map { "f-\($0)" }
            let owners = (i..<i + n).map { "t-\($0 % tenants)" }
            try db.query("BEGIN")
            try db.query("INSERT INTO floor_events SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])",
                         [PostgresArray.literal(ids), PostgresArray.literal(owners),
                          PostgresArray.literal(Array(repeating: "1000000", count: n))])
            try db.query("""
                INSERT INTO floor_usage AS u SELECT t, current_date, sum(a) FROM unnest($1::text[], $2::bigint[]) AS v(t, a)
                GROUP BY t ON CONFLICT (tenant_id, window_start) DO UPDATE SET used = u.used + EXCLUDED.used
                """, [PostgresArray.literal(owners), PostgresArray.literal(Array(repeating: "1000000", count: n))])
            try db.query("COMMIT")
            i += n
        }
        return Double(attempts) / Date().timeIntervalSince(started)
    }
}
