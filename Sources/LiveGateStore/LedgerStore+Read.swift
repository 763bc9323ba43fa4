import LiveGateCore
import Postgres

/// What a batch needs to know before the ledger decides, read under the batch's tenant locks.
struct BatchSnapshot {
    let tenants: [ByteID: TenantRecord]
    let processed: [ByteID: StoredEvent]
    let usage: [UsageKey: Micros]
}

extension LedgerStore {
    /// Opens the batch's transaction and reads its snapshot in one round trip (a pipeline): begin, create
    /// missing tenant rows, lock every tenant the batch touches in byte order of their ids, then read the
    /// processed events and the usage. The server runs them in that order, so both reads happen under the
    /// locks. Every transaction that changes a tenant or its usage goes through here first.
    func begin(_ needs: LedgerRequirements) throws -> BatchSnapshot {
        let ids = PostgresArray.literal(needs.tenantIds)
        var statements = [
            PostgresStatement("BEGIN"),
            PostgresStatement("""
                INSERT INTO tenants (tenant_id) SELECT id FROM unnest($1::text[]) WITH ORDINALITY AS t(id, n)
                ORDER BY n ON CONFLICT (tenant_id) DO NOTHING
                """, [ids]),
            PostgresStatement("SELECT " + Rows.tenantColumns + """
                 FROM tenants WHERE tenant_id = ANY($1::text[])
                ORDER BY tenant_id COLLATE "C" FOR UPDATE
                """, [ids]),
            PostgresStatement("""
                SELECT event_id, tenant_id, event_type, fingerprint, outputs, changed_tenant
                FROM processed_events WHERE event_id = ANY($1::text[])
                """, [PostgresArray.literal(needs.eventIds)]),
        ]
        if !needs.usageKeys.isEmpty { statements.append(Self.usageQuery(needs.usageKeys)) }
        let results = try connection.pipeline(statements)
        return BatchSnapshot(
            tenants: try Self.tenants(results[2], expected: needs.tenantIds.count),
            processed: try Self.processed(results[3]),
            usage: needs.usageKeys.isEmpty ? [:] : try Self.usage(results[4]))
    }

    static func tenants(_ rows: PostgresRows, expected: Int) throws -> [ByteID: TenantRecord] {
        var tenants: [ByteID: TenantRecord] = [:]
        for row in rows.rows {
            let tenant = try Rows.tenant(row)
            tenants[ByteID(tenant.tenantId)] = tenant
        }
        // Checked after keying by bytes: two ids Swift calls equal must still be two rows.
        guard rows.count == expected, tenants.count == expected else {
            throw StoreError.invariant("a locked tenant row is missing")
        }
        return tenants
    }

    static func processed(_ rows: PostgresRows) throws -> [ByteID: StoredEvent] {
        var processed: [ByteID: StoredEvent] = [:]
        for row in rows.rows {
            guard let id = row[0], let tenant = row[1], let type = row[2].flatMap(EventType.init(rawValue:)),
                  let fingerprint = row[3], let outputs = row[4], let changed = row[5]
            else { throw StoreError.invariant("a processed_events row does not convert") }
            processed[ByteID(id)] = StoredEvent(
                eventId: id, tenantId: tenant, type: type, fingerprint: fingerprint,
                outputs: try Rows.decodeOutputs(outputs, key: tenant), changedTenant: changed == "t")
        }
        return processed
    }

    /// Usage of the windows the batch's live attempts fall in. Safe to read without `FOR UPDATE`: the rows only
    /// change under their tenant's lock, which this transaction already holds.
    static func usageQuery(_ keys: [UsageKey]) -> PostgresStatement {
        PostgresStatement("""
            SELECT u.tenant_id, u.window_kind, u.window_start, u.used_micros
            FROM usage_windows u
            JOIN unnest($1::text[], $2::text[], $3::date[]) AS k(tenant_id, kind, start)
              ON u.tenant_id = k.tenant_id AND u.window_kind = k.kind AND u.window_start = k.start
            """, [PostgresArray.literal(keys.map(\.tenantId)), PostgresArray.literal(keys.map(\.window.kind.rawValue)),
                  PostgresArray.literal(keys.map(\.window.start.description))])
    }

    static func usage(_ rows: PostgresRows) throws -> [UsageKey: Micros] {
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
