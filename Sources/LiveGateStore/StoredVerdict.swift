import LiveGateCore
import Postgres

/// The transaction verdict stored for an input, exactly as it was published: for `serve`'s
/// `GET /v1/transaction-attempts/{event_id}`.
public enum StoredVerdict {
    /// The verdict's bytes, or nil when no attempt or resolution with this id was processed (or it was
    /// pruned). Read-only, no locks.
    public static func load(eventId: String, on connection: PostgresConnection) throws(StoreError) -> [UInt8]? {
        try StoreError.converting {
            let rows = try connection.query("""
                SELECT tenant_id, outputs FROM processed_events
                WHERE event_id = $1 AND event_type IN ('transaction.attempted', 'transaction.resolved')
                """, [eventId])
            guard let row = rows.rows.first, let tenant = row[0], let outputs = row[1] else { return nil }
            return try Rows.decodeOutputs(outputs, key: tenant).first { $0.topic == Topics.transactionVerdict }?.value
        }
    }
}
