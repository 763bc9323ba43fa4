import LiveGateCore
import Postgres

/// The transaction verdict stored for an input, exactly as it was published: for `serve`'s
/// `GET /v1/tenants/{tenant_id}/transaction-attempts/{event_id}` (and `…/transaction-resolutions/…`).
public enum StoredVerdict {
    /// The verdict's bytes, or nil when this tenant has no processed input of `kind` with this id (never
    /// posted, not yet decided, pruned, or another tenant's). The idempotency key is (tenant, event id), contract
    /// v1.2; this reads the same on a schema keyed by `event_id` alone. Read-only, no locks.
    public static func load(
        tenantId: String, eventId: String, kind: EventType,
        on connection: PostgresConnection
    ) throws(StoreError) -> [UInt8]? {
        guard kind == .transactionAttempted || kind == .transactionResolved else { return nil }  // no verdict to read
        return try StoreError.converting {
            let rows = try connection.query(
                """
                SELECT p.outputs, (extract(epoch FROM p.occurred_at) * 1000)::bigint,
                """ + VerdictColumns.select
                    + """
                    FROM processed_events p WHERE p.tenant_id = $1 AND p.event_id = $2 AND
                    """ + VerdictColumns.eventType + " = $3", [tenantId, eventId, kind.rawValue])
            guard let row = rows.rows.first else { return nil }
            let facts = try VerdictColumns.facts(row, first: 2, occurredAt: try Rows.instant(row[1]))
            return try VerdictColumns.outputs(facts: facts, text: row[0], eventId: eventId, tenantId: tenantId)
                .first { $0.topic == Topics.transactionVerdict }?.value
        }
    }
}
