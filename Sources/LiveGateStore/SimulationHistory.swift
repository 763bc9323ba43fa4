import LiveGateCore
import Postgres

/// Reads what a ceiling simulation replays (contract v1.2, "What-if before changing a ceiling"): one tenant's
/// retained live attempts decided while it was approved, their resolutions, in the order the workers applied
/// them, and PostgreSQL's usage of the windows they touch, all in one read-only snapshot. Changes nothing.
public enum SimulationHistory {
    /// What a simulation can be run on.
    public enum Loaded: Sendable, Equatable {
        /// The tenant has never been approved (or never seen): it has no live attempt a ceiling decided.
        case neverApproved
        case history(RetainedHistory)

        /// The history, or nil for a tenant never approved.
        public var history: RetainedHistory? {
            if case let .history(history) = self { return history }
            return nil
        }
    }

    /// The most attempts one simulation reads: the newest are kept, and the answer says when there were more.
    /// About 100 bytes each in memory; PostgreSQL reads them by the tenant's key.
    public static let defaultMaxAttempts = 50_000

    public static func load(
        _ tenantId: String, on connection: PostgresConnection, maxAttempts: Int = defaultMaxAttempts
    ) throws(StoreError) -> Loaded {
        precondition(maxAttempts > 0, "a simulation reads at least one attempt")
        return try StoreError.converting {
            try connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            defer { _ = try? connection.query("COMMIT") }
            let rows = try connection.query(
                "SELECT " + Rows.tenantColumns + " FROM tenants WHERE tenant_id = $1", [tenantId])
            let approved = try connection.query(
                """
                SELECT 1 FROM tenant_transitions WHERE tenant_id = $1 AND to_state = 'production_approved' LIMIT 1
                """, [tenantId])
            guard let row = rows.rows.first, approved.count > 0 else { return .neverApproved }
            let tenant = try Rows.tenant(row)
            let (newestFirst, truncated) = try readAttempts(tenantId, on: connection, max: maxAttempts)
            let attempts = Array(newestFirst.reversed())
            let resolutions = try readResolutions(
                tenantId, of: attempts.map(\.attempt.eventId), after: attempts.first?.seq, on: connection)
            let days =
                attempts.map(\.attempt.occurredAt.date) + resolutions.compactMap(\.attempt.bookedDay)
            let windows = Set(
                days.flatMap {
                    [UsageWindow(kind: .day, start: $0), UsageWindow(kind: .month, start: $0.firstOfMonth)]
                })
            var usage: [UsageWindow: Micros] = [:]
            if !windows.isEmpty {
                let keys = windows.map { UsageKey(tenantId: tenantId, window: $0) }
                let query = LedgerStore.usageQuery(keys)
                for (key, used) in try LedgerStore.usage(try connection.query(query.sql, query.parameters)) {
                    usage[key.window] = used
                }
            }
            let keptFrom = try Retention.keptFrom(connection).map { try Rows.date($0) }
            return .history(
                RetainedHistory(
                    tenant: tenant, steps: merge(attempts, resolutions), usage: usage, maxAttempts: maxAttempts,
                    truncated: truncated, keptFrom: keptFrom))
        }
    }

    typealias Ordered<T> = (seq: Int64, attempt: T)

    /// The newest `max` replayable attempts, newest first, and whether there were more. An attempt stored
    /// before v1.2 kept its `occurred_at` is placed by its verdict's `decided_at` (within the skew bound of it).
    static func readAttempts(_ tenantId: String, on connection: PostgresConnection, max: Int) throws
        -> ([Ordered<RetainedAttempt>], Bool)
    {
        let rows = try connection.query(
            "SELECT p.event_id, p.applied_seq, " + VerdictColumns.replayAmount
                + """
                AS replay, p.booked_micros IS NOT NULL,
                       (extract(epoch FROM coalesce(p.occurred_at, p.decided_at,
                           (split_part(split_part(p.outputs, E'\\n', 1), E'\\t', 2)::jsonb ->> 'decided_at')::timestamptz))
                        * 1000)::bigint
                FROM processed_events p
                WHERE p.tenant_id = $1 AND (
                """ + VerdictColumns.replayAmount
                    + """
                    ) IS NOT NULL
                    ORDER BY p.applied_seq DESC LIMIT $2::int
                    """, [tenantId, String(max + 1)])
        var attempts: [Ordered<RetainedAttempt>] = []
        for row in rows.rows.prefix(max) {
            guard let id = row[0], let seq = row[1].flatMap(Int64.init), let amount = try Rows.micros(row[2]),
                let at = try Rows.instant(row[4])
            else { throw StoreError.invariant("a replayable processed_events row does not convert") }
            attempts.append(
                (seq, RetainedAttempt(eventId: id, occurredAt: at, amount: amount, allowedThen: row[3] == "t")))
        }
        return (attempts, rows.count > max)
    }

    /// The accepted resolutions of `attemptIds`, and those of older attempts applied after `after` (the oldest
    /// read attempt's place: their attempts held headroom until then), each with its place in the order.
    static func readResolutions(
        _ tenantId: String, of attemptIds: [String], after: Int64?, on connection: PostgresConnection
    ) throws -> [Ordered<RetainedResolution>] {
        guard let after, !attemptIds.isEmpty else { return [] }
        let rows = try connection.query(
            """
            SELECT r.attempt_id, r.resolution, r.released_micros, p.applied_seq, r.booked_day
            FROM attempt_resolutions r
            JOIN processed_events p ON p.tenant_id = r.tenant_id AND p.event_id = r.event_id
            WHERE r.tenant_id = $1 AND (r.attempt_id = ANY($2::text[]) OR p.applied_seq > $3::bigint)
            """, [tenantId, PostgresArray.literal(attemptIds), String(after)])
        return try rows.rows.map { row in
            guard let attemptId = row[0], let kind = row[1].flatMap(ResolutionKind.init(rawValue:)),
                let released = try Rows.micros(row[2]), let seq = row[3].flatMap(Int64.init)
            else { throw StoreError.invariant("an attempt_resolutions row does not convert") }
            let day = row[4] == nil ? nil : try Rows.date(row[4])
            return (seq, RetainedResolution(attemptId: attemptId, kind: kind, released: released, bookedDay: day))
        }
    }

    /// Attempts (oldest first) and resolutions, as one history in the order they were applied.
    static func merge(_ attempts: [Ordered<RetainedAttempt>], _ resolutions: [Ordered<RetainedResolution>])
        -> [ReplayStep]
    {
        let steps =
            attempts.map { ($0.seq, ReplayStep.attempt($0.attempt)) }
            + resolutions.map { ($0.seq, ReplayStep.resolution($0.attempt)) }
        return steps.sorted { $0.0 < $1.0 }.map { $0.1 }
    }
}
