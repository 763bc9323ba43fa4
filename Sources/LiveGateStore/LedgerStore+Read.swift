import LiveGateCore
import Postgres

/// What a batch needs to know before the ledger decides, read under the batch's tenant locks.
struct BatchSnapshot {
    let tenants: [ByteID: TenantRecord]
    let processed: [EventKey: StoredEvent]
    var usage: [UsageKey: Micros] = [:]
    var resolvedAttempts: Set<EventKey> = []
    var thresholds: Set<ThresholdKey> = []
}

extension LedgerStore {
    /// Opens the batch's transaction and reads its snapshot in one round trip (a pipeline): begin, lock every
    /// tenant the batch touches (`TenantLocks`), create missing tenant rows, then read the tenants, the processed
    /// events and the usage. The server runs them in that order, so every read happens under the locks. Every
    /// transaction that changes a tenant or its usage goes through here first.
    func begin(_ needs: LedgerRequirements) throws -> BatchSnapshot {
        let ids = PostgresArray.literal(needs.tenantIds)
        var statements = [
            PostgresStatement("BEGIN"),
            TenantLocks.lock(ids),
            PostgresStatement(
                """
                INSERT INTO tenants (tenant_id) SELECT id FROM unnest($1::text[]) WITH ORDINALITY AS t(id, n)
                ORDER BY n ON CONFLICT (tenant_id) DO NOTHING
                """, [ids]),
            PostgresStatement(
                "SELECT " + Rows.tenantColumns + " FROM tenants WHERE tenant_id = ANY($1::text[])", [ids]),
            PostgresStatement(
                "SELECT p.event_id, p.tenant_id, " + VerdictColumns.eventType
                    + """
                    , coalesce(encode(p.fingerprint_sha256, 'hex'), p.fingerprint),
                           p.outputs, p.changed_tenant, p.booked_micros,
                    """ + VerdictColumns.bookedDay
                        + """
                        ,
                               (extract(epoch FROM p.occurred_at) * 1000)::bigint,
                        """ + VerdictColumns.select
                        + """
                        FROM processed_events p JOIN unnest($1::text[], $2::text[]) AS k(tenant_id, event_id)
                          ON p.tenant_id = k.tenant_id AND p.event_id = k.event_id
                        """, Self.keyArrays(needs.events)),
        ]
        if !needs.usageKeys.isEmpty {
            statements.append(Self.usageQuery(needs.usageKeys))
            statements.append(Self.thresholdQuery(needs.usageKeys))
        }
        if !needs.resolvedAttempts.isEmpty { statements += Self.resolutionQueries(needs.resolvedAttempts) }
        let results = try connection.pipeline(statements)
        var snapshot = BatchSnapshot(
            tenants: try Self.tenants(results[3], expected: needs.tenantIds.count),
            processed: try Self.processed(results[4]))
        var next = 5
        if !needs.usageKeys.isEmpty {
            snapshot.usage = try Self.usage(results[5])
            snapshot.thresholds = try Self.thresholds(results[6])
            next = 7
        }
        if !needs.resolvedAttempts.isEmpty {
            snapshot.resolvedAttempts = Set(
                results[next].rows.compactMap { row in
                    row[0].flatMap { tenant in row[1].map { EventKey(tenantId: tenant, eventId: $0) } }
                })
            snapshot.usage.merge(try Self.usage(results[next + 1])) { $1 }
        }
        return snapshot
    }

    /// The threshold notices already sent in the batch's windows.
    static func thresholdQuery(_ keys: [UsageKey]) -> PostgresStatement {
        PostgresStatement(
            """
            SELECT n.tenant_id, n.window_kind, n.window_start, n.template
            FROM threshold_notices n
            JOIN unnest($1::text[], $2::text[], $3::date[]) AS k(tenant_id, kind, start)
              ON n.tenant_id = k.tenant_id AND n.window_kind = k.kind AND n.window_start = k.start
            """,
            [
                PostgresArray.literal(keys.map(\.tenantId)), PostgresArray.literal(keys.map(\.window.kind.rawValue)),
                PostgresArray.literal(keys.map(\.window.start.description)),
            ])
    }

    static func thresholds(_ rows: PostgresRows) throws -> Set<ThresholdKey> {
        var keys = Set<ThresholdKey>()
        for row in rows.rows {
            guard let tenant = row[0], let kind = row[1].flatMap(UsageWindow.Kind.init(rawValue:)),
                let template = row[3]
            else { throw StoreError.invariant("a threshold_notices row does not convert") }
            keys.insert(
                ThresholdKey(
                    tenantId: tenant, window: UsageWindow(kind: kind, start: try Rows.date(row[2])),
                    template: template))
        }
        return keys
    }

    /// For the attempts the batch's resolutions name: which already have a resolution, and the usage of the
    /// day and month windows each booked in (so a release knows what it takes from).
    static func resolutionQueries(_ attempts: [EventKey]) -> [PostgresStatement] {
        let keys = keyArrays(attempts)
        return [
            PostgresStatement(
                """
                SELECT r.tenant_id, r.attempt_id FROM attempt_resolutions r
                JOIN unnest($1::text[], $2::text[]) AS k(tenant_id, attempt_id)
                  ON r.tenant_id = k.tenant_id AND r.attempt_id = k.attempt_id
                """, keys),
            PostgresStatement(
                """
                SELECT u.tenant_id, u.window_kind, u.window_start, u.used_micros
                FROM unnest($1::text[], $2::text[]) AS k(tenant_id, event_id)
                JOIN processed_events p ON p.tenant_id = k.tenant_id AND p.event_id = k.event_id
                CROSS JOIN LATERAL (SELECT
                """ + VerdictColumns.bookedDay
                    + """
                    AS day) b
                    JOIN usage_windows u ON u.tenant_id = p.tenant_id
                     AND ((u.window_kind = 'day' AND u.window_start = b.day)
                       OR (u.window_kind = 'month' AND u.window_start = date_trunc('month', b.day)::date))
                    WHERE b.day IS NOT NULL
                    """, keys),
        ]
    }

    /// (tenant ids, event ids) as two array parameters, for `unnest($1::text[], $2::text[])`.
    static func keyArrays(_ keys: [EventKey]) -> [String?] {
        [PostgresArray.literal(keys.map(\.tenantId.text)), PostgresArray.literal(keys.map(\.eventId.text))]
    }

    static func tenants(_ rows: PostgresRows, expected: Int) throws -> [ByteID: TenantRecord] {
        var tenants: [ByteID: TenantRecord] = [:]
        for row in rows.rows {
            let tenant = try Rows.tenant(row)
            tenants[ByteID(tenant.tenantId)] = tenant
        }
        // Checked after keying by bytes: two ids Swift calls equal must still be two rows.
        guard rows.count == expected, tenants.count == expected else {
            throw StoreError.invariant("a tenant row of the batch is missing")
        }
        return tenants
    }

    static func processed(_ rows: PostgresRows) throws -> [EventKey: StoredEvent] {
        var processed: [EventKey: StoredEvent] = [:]
        for row in rows.rows {
            guard let id = row[0], let tenant = row[1], let type = row[2].flatMap(EventType.init(rawValue:)),
                let fingerprint = row[3], let changed = row[5]
            else { throw StoreError.invariant("a processed_events row does not convert") }
            let occurredAt = try Rows.instant(row[8])
            let facts = try VerdictColumns.facts(row, first: 9, occurredAt: occurredAt)
            var event = StoredEvent(
                eventId: id, tenantId: tenant, type: type, fingerprint: fingerprint,
                outputs: try VerdictColumns.outputs(facts: facts, text: row[4], eventId: id, tenantId: tenant),
                changedTenant: changed == "t", bookedAmount: try Rows.micros(row[6]),
                bookedDay: row[7] == nil ? nil : try Rows.date(row[7]), occurredAt: occurredAt)
            event.verdictFacts = facts
            processed[EventKey(tenantId: tenant, eventId: id)] = event
        }
        return processed
    }

    /// Usage of the windows the batch's live attempts fall in. Safe to read without `FOR UPDATE`: the rows only
    /// change under their tenant's lock, which this transaction already holds.
    static func usageQuery(_ keys: [UsageKey]) -> PostgresStatement {
        PostgresStatement(
            """
            SELECT u.tenant_id, u.window_kind, u.window_start, u.used_micros
            FROM usage_windows u
            JOIN unnest($1::text[], $2::text[], $3::date[]) AS k(tenant_id, kind, start)
              ON u.tenant_id = k.tenant_id AND u.window_kind = k.kind AND u.window_start = k.start
            """,
            [
                PostgresArray.literal(keys.map(\.tenantId)), PostgresArray.literal(keys.map(\.window.kind.rawValue)),
                PostgresArray.literal(keys.map(\.window.start.description)),
            ])
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
