import Postgres

/// How a batch serializes with every other batch of the same tenants, without writing their rows: one
/// transaction-scoped advisory lock per tenant (`pg_advisory_xact_lock`), in LiveGate's own lock space, keyed by
/// a 32-bit hash of the tenant id and taken in ascending key order, so two batches never wait on each other in a
/// cycle. A `SELECT … FOR UPDATE` on the tenant rows did the same but wrote each locked row (its `xmax`), and at a
/// million tenants each first write of a page after a checkpoint is a full-page image in the WAL. Two tenants
/// whose ids hash alike share a lock: their batches wait for each other, which costs time, never correctness.
/// The lock is released when the transaction ends, after its commit is visible, so the next holder's reads
/// (each statement takes a new snapshot under READ COMMITTED) see everything the previous one wrote.
public enum TenantLocks {
    /// The first key of the two-key advisory lock (`pg_advisory_xact_lock(int, int)`): "LG" and 1, to stay out
    /// of other applications' locks in the same database. The statements below spell it out (1279721473): SQL
    /// text comes from literals only.
    public static let space: Int32 = 0x4C47_0001

    /// Locks the tenants of `$1` (a `text[]`), each key once, in ascending order: the subquery sorts and
    /// removes duplicates before the outer query calls the lock function row by row.
    static func lock(_ tenantIds: String?) -> PostgresStatement {
        PostgresStatement(
            """
            SELECT pg_advisory_xact_lock(1279721473, k)
            FROM (SELECT DISTINCT hashtext(id) AS k FROM unnest($1::text[]) AS id ORDER BY k) AS keys
            """, [tenantIds])
    }

    /// Every stored tenant's lock, in the same order as a batch takes them: what ops (and the fault proof) run
    /// inside a transaction to hold every worker's batches until it ends.
    public static let lockEveryTenant: SQL = """
        SELECT pg_advisory_xact_lock(1279721473, k)
        FROM (SELECT DISTINCT hashtext(tenant_id) AS k FROM tenants ORDER BY k) AS keys
        """
}
