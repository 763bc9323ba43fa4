import Postgres

/// The schema, as numbered migrations. Applied in order, each in its own transaction and recorded in
/// `livegate_schema_migrations`, so running them twice (or from two processes at once) is safe.
/// Never edit a migration that has shipped: add the next one.
public enum Migrations {
    public struct Migration: Sendable {
        public let version: Int
        public let name: String
        public let sql: SQL
    }

    public static let all: [Migration] = [
        Migration(version: 1, name: "tenants, history, processed events, usage", sql: Schema.v1),
        Migration(version: 2, name: "worker heartbeats and replay audit", sql: Schema.v2),
        Migration(version: 3, name: "stored outputs as topic<TAB>value lines", sql: Schema.v3),
        Migration(version: 4, name: "ids compare byte for byte (COLLATE \"C\")", sql: Schema.v4),
        Migration(version: 5, name: "the key that signed each decision", sql: Schema.v5),
        Migration(version: 6, name: "processed events keep a SHA-256, not the input", sql: Schema.v6),
        Migration(version: 7, name: "resolutions, thresholds, expiring overrides, suggested ceilings", sql: Schema.v7),
        Migration(version: 8, name: "retention: what prune keeps, and indexes to find the rest", sql: Schema.v8),
        Migration(
            version: 9, name: "idempotency per tenant: (tenant_id, event_id) keys; attempts' occurred_at",
            sql: Schema.v9),
        Migration(version: 10, name: "a replay of every partition is one audit row", sql: Schema.v10),
        Migration(version: 11, name: "attempts keep their order and replayable amount (simulate)", sql: Schema.v11),
        Migration(
            version: 12, name: "the review queue: what each declaration asked; pending tenants by age",
            sql: Schema.v12),
        Migration(
            version: 13, name: "no tenant row lock per attempt: the hot tables' foreign keys to tenants go",
            sql: Schema.v13),
        Migration(
            version: 14, name: "attempts keep their verdict's facts, not its text; fingerprints as bytes",
            sql: Schema.v14),
        Migration(
            version: 15, name: "an attempt's row leaves out what it already says (facts in encoding 2)",
            sql: Schema.v15),
    ]

    /// Why this LiveGate cannot run on a database's schema: it lacks migrations this binary needs, or has
    /// ones this binary does not know (a newer LiveGate migrated it: an older worker would apply inputs by
    /// rules it no longer holds, e.g. v1.1's global event ids and unsigned releases). nil when they agree.
    public static func mismatch(on connection: PostgresConnection) throws(PostgresError) -> String? {
        let known = all.map(\.version).max() ?? 0
        let exists =
            try connection.query("SELECT to_regclass('livegate_schema_migrations') IS NOT NULL").rows.first?.first
            ?? nil
        let applied =
            exists == "t"
            ? Int(
                try connection.query("SELECT coalesce(max(version), 0) FROM livegate_schema_migrations").rows.first?
                    .first.flatMap { $0 } ?? "0") ?? 0
            : 0
        if applied < known {
            return "the database schema is at version \(applied), this LiveGate needs \(known): run livegate migrate"
        }
        if applied > known {
            return
                "the database schema is at version \(applied), newer than this LiveGate knows (\(known)): run a LiveGate as new as the schema"
        }
        return nil
    }

    /// Applies every migration not yet recorded (up to `through`, for tests of a migration); returns the
    /// versions it applied.
    @discardableResult
    public static func apply(on connection: PostgresConnection, through: Int = .max) throws(PostgresError) -> [Int] {
        // Tenant ids, notes and outputs are Unicode: a database that cannot hold every character would
        // refuse some inputs forever and stall their partitions.
        let encoding = try connection.query("SHOW server_encoding").rows.first?.first ?? nil
        guard encoding == "UTF8" else {
            throw PostgresError(
                kind: .protocolViolation,
                message: "the database encoding is \(encoding ?? "unknown"); LiveGate needs UTF8")
        }
        try connection.query(
            """
            CREATE TABLE IF NOT EXISTS livegate_schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """)
        var applied: [Int] = []
        for migration in all where migration.version <= through {
            try connection.query("BEGIN")
            do {
                // Serializes concurrent migrators; released at COMMIT.
                try connection.query("LOCK TABLE livegate_schema_migrations IN EXCLUSIVE MODE")
                let done = try connection.query(
                    "SELECT 1 FROM livegate_schema_migrations WHERE version = $1", [String(migration.version)])
                if done.count == 0 {
                    try connection.execute(script: migration.sql)
                    try connection.query(
                        "INSERT INTO livegate_schema_migrations (version, name) VALUES ($1, $2)",
                        [String(migration.version), migration.name])
                    applied.append(migration.version)
                }
                try connection.query("COMMIT")
            } catch {
                _ = try? connection.query("ROLLBACK")
                throw error
            }
        }
        return applied
    }
}
