import LiveGateCore
import Postgres

/// The tenants in `declaration_pending`, oldest declaration first, with what their latest declaration asked:
/// the rows of the review queue (`livegate queue`, `GET /v1/review-queue`, serve's gauges). Read-only, no locks.
public enum PendingDeclarations {
    /// The oldest pending declarations, and how many there are in all.
    public struct Page: Sendable, Equatable {
        public let oldest: [PendingDeclaration]
        public let total: Int
    }

    /// Up to `limit` of them (the partial index `tenants_pending_by_declared_at` reads only those), and how
    /// many there are in all, in one snapshot.
    public static func load(limit: Int, on connection: PostgresConnection) throws(StoreError) -> Page {
        precondition(ReviewQueue.maxRange.contains(limit), "a review queue lists 1 to 10,000 declarations")
        return try StoreError.converting {
            try connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            defer { _ = try? connection.query("COMMIT") }
            let count = try connection.query("SELECT count(*) FROM tenants WHERE state = 'declaration_pending'")
            guard let text = count.rows.first?[0], let total = Int(text) else {
                throw StoreError.invariant("count(*) without a number")
            }
            let rows = try connection.query(
                """
                SELECT t.tenant_id, (extract(epoch FROM t.declared_at) * 1000)::bigint, d.declared_use_case,
                       d.declared_volume_usd, d.declared_website_url, t.suggested_per_tx_micros,
                       t.suggested_daily_micros, t.suggested_monthly_micros, t.owner_email, t.owner_name, t.version
                FROM tenants AS t
                LEFT JOIN LATERAL (
                    SELECT declared_use_case, declared_volume_usd, declared_website_url FROM tenant_transitions AS x
                    WHERE x.tenant_id = t.tenant_id AND x.action = 'declare' ORDER BY x.id DESC LIMIT 1
                ) AS d ON true
                WHERE t.state = 'declaration_pending' AND t.declared_at IS NOT NULL
                ORDER BY t.declared_at, t.tenant_id LIMIT $1::int
                """, [String(limit)])
            return Page(oldest: try rows.rows.map(pending), total: total)
        }
    }

    static func pending(_ row: [String?]) throws(StoreError) -> PendingDeclaration {
        guard row.count == 11, let id = row[0], let declaredAt = try Rows.instant(row[1]),
            let version = row[10].flatMap(Int64.init)
        else { throw .invariant("a pending tenant's row does not convert") }
        var suggested: CeilingLimits?
        if let perTx = try Rows.micros(row[5]), let daily = try Rows.micros(row[6]),
            let monthly = try Rows.micros(row[7])
        {
            suggested = CeilingLimits(perTx: perTx, daily: daily, monthly: monthly)
        }
        return PendingDeclaration(
            tenantId: id, declaredAt: declaredAt, intendedUseCase: row[2], expectedMonthlyVolumeUSD: row[3],
            websiteURL: row[4], suggested: suggested, ownerEmail: row[8], ownerName: row[9], version: version)
    }
}
