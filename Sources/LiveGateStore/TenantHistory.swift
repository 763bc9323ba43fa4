import LiveGateCore
import Postgres

/// A tenant's audit trail, oldest first: every applied declaration and decision as `tenant_transitions`
/// keeps it (append-only).
public struct TenantHistory: Sendable {
    public struct Entry: Sendable {
        public let eventId: String
        public let occurredAt: String
        public let action: String
        public let actor: String?
        public let fromState: String
        public let toState: String
        /// The override before and after, as stored (JSON text); nil for declarations and older rows.
        public let ceilingBefore: String?
        public let ceilingAfter: String?
        public let reason: String?
        public let signingKid: String?

        public var json: JSONValue {
            func ceiling(_ text: String?) -> JSONValue {
                text.flatMap { try? JSONParser.parse(Array($0.utf8)) } ?? .null
            }
            return .object([
                ("event_id", .string(eventId)), ("occurred_at", .string(occurredAt)), ("action", .string(action)),
                ("actor", .string(actor)), ("from_state", .string(fromState)), ("to_state", .string(toState)),
                ("ceiling_before", ceiling(ceilingBefore)), ("ceiling_after", ceiling(ceilingAfter)),
                ("reason", .string(reason)), ("signing_kid", .string(signingKid)),
            ])
        }
    }

    public let tenantId: String
    public let entries: [Entry]

    /// Bounded: the latest `limit` entries, still oldest first.
    public static func load(_ tenantId: String, url: String, limit: Int = 10_000) throws(StoreError) -> TenantHistory {
        let connection = try LedgerStore.connect(url)
        return try StoreError.converting {
            let rows = try connection.query(
                """
                SELECT event_id, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), action,
                       actor_id, from_state, to_state, ceiling_before, ceiling, notes, signing_kid
                FROM (SELECT * FROM tenant_transitions WHERE tenant_id = $1 ORDER BY id DESC LIMIT $2) AS latest
                ORDER BY id
                """, [tenantId, String(limit)])
            let entries = try rows.rows.map { row throws(StoreError) -> Entry in
                guard let id = row[0], let at = row[1], let action = row[2], let from = row[4], let to = row[5]
                else { throw .invariant("a tenant_transitions row does not convert") }
                return Entry(
                    eventId: id, occurredAt: at, action: action, actor: row[3], fromState: from, toState: to,
                    ceilingBefore: row[6], ceilingAfter: row[7], reason: row[8], signingKid: row[9])
            }
            return TenantHistory(tenantId: tenantId, entries: entries)
        }
    }

    public var json: JSONValue {
        .object([("tenant_id", .string(tenantId)), ("entries", .array(entries.map(\.json)))])
    }
}
