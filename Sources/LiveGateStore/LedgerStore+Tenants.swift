import LiveGateCore
import Postgres

extension LedgerStore {
    /// The most tenant rows one page holds: a page is one query and one produce, so the memory of walking
    /// every tenant stays bounded however many there are.
    public static let maxTenantPage = 5_000

    /// Up to `limit` stored tenants whose id sorts after `after` (from the first when nil), in id order, byte
    /// for byte (`COLLATE "C"`). Read-only, no locks: for `livegate status republish --all`, which walks every
    /// tenant a page at a time; a tenant created meanwhile gets its status from the worker that creates it.
    public func tenantPage(after: String?, limit: Int) throws(StoreError) -> [TenantRecord] {
        precondition((1...Self.maxTenantPage).contains(limit), "a tenant page holds 1 to \(Self.maxTenantPage) rows")
        return try StoreError.converting {
            let rows = try connection.query(
                "SELECT " + Rows.tenantColumns + """
                     FROM tenants WHERE $1::text IS NULL OR tenant_id > $1::text COLLATE "C"
                     ORDER BY tenant_id COLLATE "C" LIMIT $2::int
                    """, [after, String(limit)])
            return try rows.rows.map(Rows.tenant)
        }
    }
}
