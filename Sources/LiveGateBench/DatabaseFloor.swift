import Foundation
import Postgres
import Synchronization

/// The floor of the database itself: the minimal SQL an attempt needs (record it once, add it to its
/// tenant's day and month usage), batched 200 to a transaction, with no Kafka and no JSON. LiveGate can
/// only approach this; the ratio says how much the rest of the pipeline costs.
///
/// It runs on as many connections as the worker has lanes, each with its own share of the tenants (as Kafka
/// partitions share them out between lanes), so the floor gets the same parallelism as the pipeline.
enum DatabaseFloor {
    static let batch = 200

    /// Attempts a second over `attempts` attempts on `tenants` tenants, spread over `connections` connections,
    /// and what each cost.
    static func measure(url: String, attempts: Int, tenants: Int, connections: Int = 1) throws -> (
        perSecond: Double, cost: AttemptCost
    ) {
        let db = try PostgresConnection(url: url)
        try db.query(
            "CREATE TABLE floor_events (event_id text PRIMARY KEY, tenant_id text NOT NULL, amount bigint NOT NULL)")
        try db.query(
            """
            CREATE TABLE floor_usage (tenant_id text, window_start date, used bigint NOT NULL CHECK (used >= 0),
                                      PRIMARY KEY (tenant_id, window_start))
            """)
        let lanes = max(1, connections)
        let sessions = try (0..<lanes).map { _ in Session(db: try PostgresConnection(url: url)) }
        let failure = Mutex<Error?>(nil)
        let finished = DispatchGroup()
        let before = try ResourceSample.take(db)
        let started = Date()
        for (lane, session) in sessions.enumerated() {
            // Attempt i belongs to tenant i % tenants; a lane takes the tenants t with t % lanes == lane.
            let mine = (0..<attempts).filter { ($0 % max(1, tenants)) % lanes == lane }
            finished.enter()
            Thread {
                defer { finished.leave() }
                do { try run(mine, tenants: tenants, on: session.db) } catch { failure.withLock { $0 = error } }
            }.start()
        }
        finished.wait()
        let seconds = Date().timeIntervalSince(started)
        if let error = failure.withLock({ $0 }) { throw error }
        let cost = try before.cost(to: try ResourceSample.take(db), attempts: attempts, db: db)
        return (Double(attempts) / seconds, cost)
    }

    /// A connection handed to the one thread that uses it.
    private final class Session: @unchecked Sendable {
        let db: PostgresConnection
        init(db: PostgresConnection) { self.db = db }
    }

    private static func run(_ attempts: [Int], tenants: Int, on db: PostgresConnection) throws {
        for start in stride(from: 0, to: attempts.count, by: batch) {
            let chunk = attempts[start..<min(start + batch, attempts.count)]
            let ids = chunk.map { "f-\($0)" }
            let owners = chunk.map { "t-\($0 % max(1, tenants))" }
            let amounts = Array(repeating: "1000000", count: chunk.count)
            try db.query("BEGIN")
            try db.query(
                "INSERT INTO floor_events SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])",
                [PostgresArray.literal(ids), PostgresArray.literal(owners), PostgresArray.literal(amounts)])
            try db.query(
                """
                INSERT INTO floor_usage AS u SELECT t, current_date, sum(a) FROM unnest($1::text[], $2::bigint[]) AS v(t, a)
                GROUP BY t ON CONFLICT (tenant_id, window_start) DO UPDATE SET used = u.used + EXCLUDED.used
                """, [PostgresArray.literal(owners), PostgresArray.literal(amounts)])
            try db.query("COMMIT")
        }
    }
}
