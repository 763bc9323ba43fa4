import LiveGateCore
import Postgres

extension LedgerStore {
    /// Creates missing tenant rows and locks all of them in byte order of their ids. Every transaction that
    /// changes a tenant or its usage goes through here first.
    func lockTenants(_ ids: [String]) throws -> [String: TenantRecord] {
        let idArray = PostgresArray.literal(ids)
        try connection.query("""
            INSERT INTO tenants (tenant_id) SELECT id FROM unnest($1::text[]) WITH ORDINALITY AS t(id, n)
            ORDER BY n ON CONFLICT (tenant_id) DO NOTHING
            """, [idArray])
        let rows = try connection.query("""
            SELECT \(Rows.tenantColumns) FROM tenants WHERE tenant_id = ANY($1::text[])
            ORDER BY tenant_id COLLATE "C" FOR UPDATE
            """, [idArray])
        guard rows.count == ids.count else { throw StoreError.invariant("a locked tenant row is missing") }
        var tenants: [String: TenantRecord] = [:]
        for row in rows.rows {
            let tenant = try Rows.tenant(row)
            tenants[tenant.tenantId] = tenant
        }
        return tenants
    }

    func readProcessed(_ eventIds: [String]) throws -> [String: StoredEvent] {
        let rows = try connection.query("""
            SELECT event_id, tenant_id, event_type, fingerprint, outputs, changed_tenant
            FROM processed_events WHERE event_id = ANY($1::text[])
            """, [PostgresArray.literal(eventIds)])
        var processed: [String: StoredEvent] = [:]
        for row in rows.rows {
            guard let id = row[0], let tenant = row[1], let type = row[2].flatMap(EventType.init(rawValue:)),
                  let fingerprint = row[3], let outputs = row[4], let changed = row[5]
            else { throw StoreError.invariant("a processed_events row does not convert") }
            processed[id] = StoredEvent(
                eventId: id, tenantId: tenant, type: type, fingerprint: fingerprint,
                outputs: try Rows.decodeOutputs(outputs, key: tenant), changedTenant: changed == "t")
        }
        return processed
    }

    /// Usage of the windows the batch's live attempts fall in. Safe to read without `FOR UPDATE`: the rows only
    /// change under their tenant's lock, which this transaction already holds.
    func readUsage(_ keys: [UsageKey]) throws -> [UsageKey: Micros] {
        guard !keys.isEmpty else { return [:] }
        let rows = try connection.query("""
            SELECT u.tenant_id, u.window_kind, u.window_start, u.used_micros
            FROM usage_windows u
            JOIN unnest($1::text[], $2::text[], $3::date[]) AS k(tenant_id, kind, start)
              ON u.tenant_id = k.tenant_id AND u.window_kind = k.kind AND u.window_start = k.start
            """, [PostgresArray.literal(keys.map(\.tenantId)), PostgresArray.literal(keys.map(\.window.kind.rawValue)),
                  PostgresArray.literal(keys.map(\.window.start.description))])
        var usage: [UsageKey: Micros] = [:]
        for row in rows.rows {
            guard let tenant = row[0], let kind = row[1].flatMap(UsageWindow.Kind.init(rawValue:)),
                  let used = try Rows.micros(row[3])
            else { throw StoreError.invariant("a usage_windows row does not convert") }
            usage[UsageKey(tenantId: tenant, window: UsageWindow(kind: kind, start: try Rows.date(row[2])))] = used
        }
        return usage
    }
}
