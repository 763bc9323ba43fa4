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
                SELECT outputs FROM processed_events
                WHERE tenant_id = $1 AND event_id = $2 AND event_type = $3
                """, [tenantId, eventId, kind.rawValue])
            guard let row = rows.rows.first, let outputs = row[0] else { return nil }
            return try Rows.decodeOutputs(outputs, key: tenantId).first { $0.topic == Topics.transactionVerdict }?.value
        }
    }
}
