import LiveGateCore
import Postgres

/// `livegate prune`: removes what can no longer matter, in small transactions that hold no lock a worker
/// waits for (old rows only; workers touch current windows and new events).
///
/// Why an attempt older than `keep` cannot be counted twice once its record is gone: an input can only come
/// back as a redelivery from its topic, which deletes records after its retention (7 days; `keep` must be
/// longer), or as the same event published again, which the broker stamps with the time it arrives
/// (`LogAppendTime`); its `occurred_at` is then further from that stamp than the 5-minute skew allows, so the
/// attempt is denied (`occurred_at_skew`) and books nothing. Resolutions have no such guard, so a resolution is
/// kept as long as the attempt it names keeps its booking.
///
/// Bookings stay until the month they were booked in has ended before `now − keep`, so every usage window
/// that is kept still has all its bookings and `livegate reconcile` stays exact over what is kept
/// (`retention.kept_from` tells it where that starts). Declarations, decisions and the history are never pruned.
public enum Retention {
    public struct Policy: Sendable {
        /// How long an attempt's idempotency record is kept: longer than the input topics' retention.
        public var keepSeconds: Int64
        /// Heartbeats older than this are of workers long gone.
        public var heartbeatSeconds: Int64 = 86_400
        /// Rows per delete transaction.
        public var chunk = 5_000

        /// Eight days: the input topics' seven days of retention and a day of margin.
        public static let defaultKeepSeconds: Int64 = 8 * 86_400

        public init(keepSeconds: Int64 = Policy.defaultKeepSeconds) { self.keepSeconds = keepSeconds }
    }

    public struct Counts: Sendable, Equatable {
        public var attempts = 0
        public var resolutions = 0
        public var usageWindows = 0
        public var thresholdNotices = 0
        public var heartbeats = 0
        /// Usage windows and bookings before this day are no longer kept.
        public var keptFrom: CivilDate

        public var total: Int { attempts + resolutions + usageWindows + thresholdNotices + heartbeats }

        mutating func add(_ kind: Step.Kind, _ n: Int) {
            switch kind {
            case .attempts: attempts += n
            case .resolutions: resolutions += n
            case .usageWindows: usageWindows += n
            case .thresholdNotices: thresholdNotices += n
            }
        }
    }

    /// What each step deletes: a `DELETE … IN (` prefix and the selection it closes, at most `$3` rows (all of
    /// them when `$3` is null, for the dry run's count). `$1` is the idempotency cutoff, `$2` the first day
    /// kept; every selection names both (PostgreSQL refuses a parameter it cannot type).
    struct Step: Sendable {
        enum Kind: Sendable { case attempts, resolutions, usageWindows, thresholdNotices }
        let count: Kind
        let delete: SQL
        let selection: SQL
    }

    static let steps: [Step] = [
        Step(
            count: .attempts, delete: "DELETE FROM processed_events WHERE (tenant_id, event_id) IN (",
            selection: "SELECT p.tenant_id, p.event_id FROM processed_events p WHERE " + VerdictColumns.eventType
                + """
                 = 'transaction.attempted' AND p.processed_at < $1::timestamptz AND coalesce(
                """ + VerdictColumns.bookedDay + """
                    < $2::date, true) LIMIT $3::int
                    """),
        Step(
            count: .resolutions, delete: "DELETE FROM attempt_resolutions WHERE (tenant_id, attempt_id) IN (",
            selection: """
                SELECT tenant_id, attempt_id FROM attempt_resolutions
                WHERE recorded_at < $1::timestamptz AND (booked_day IS NULL OR booked_day < $2::date)
                LIMIT $3::int
                """),
        // A resolution's own idempotency record goes once its release is no longer kept (or it released nothing).
        Step(
            count: .resolutions, delete: "DELETE FROM processed_events WHERE (tenant_id, event_id) IN (",
            selection: """
                SELECT p.tenant_id, p.event_id FROM processed_events p
                WHERE p.event_type = 'transaction.resolved' AND p.processed_at < $1::timestamptz
                  AND NOT EXISTS (SELECT 1 FROM attempt_resolutions r WHERE r.tenant_id = p.tenant_id AND r.event_id = p.event_id
                                  AND NOT (r.recorded_at < $1::timestamptz AND (r.booked_day IS NULL OR r.booked_day < $2::date)))
                LIMIT $3::int
                """),
        Step(
            count: .usageWindows, delete: "DELETE FROM usage_windows WHERE (tenant_id, window_kind, window_start) IN (",
            selection: """
                SELECT tenant_id, window_kind, window_start FROM usage_windows
                WHERE window_start < $2::date AND $1::timestamptz IS NOT NULL LIMIT $3::int
                """),
        Step(
            count: .thresholdNotices,
            delete: "DELETE FROM threshold_notices WHERE (tenant_id, window_kind, window_start, template) IN (",
            selection: """
                SELECT tenant_id, window_kind, window_start, template FROM threshold_notices
                WHERE window_start < $2::date AND $1::timestamptz IS NOT NULL LIMIT $3::int
                """),
    ]

    /// Prunes what `policy` no longer keeps at `now`; with `dryRun`, only counts it.
    public static func prune(url: String, policy: Policy, now: UTCInstant, dryRun: Bool = false) throws(StoreError)
        -> Counts
    {
        let connection = try LedgerStore.connect(url)
        let cutoff = UTCInstant(millis: now.millis - policy.keepSeconds * 1000)
        let keptFrom = UsageWindow.month(containing: cutoff).start
        let heartbeatCutoff = UTCInstant(millis: now.millis - policy.heartbeatSeconds * 1000)
        var counts = Counts(keptFrom: keptFrom)
        return try StoreError.converting {
            if dryRun {
                try connection.query("BEGIN READ ONLY")
                defer { _ = try? connection.query("ROLLBACK") }
                for step in steps {
                    // The same selection without its limit: everything the step would take.
                    let rows = try connection.query(
                        "SELECT count(*) FROM (" + step.selection + ") AS s",
                        [cutoff.description, keptFrom.description, nil])
                    counts.add(step.count, Int(rows.rows.first?.first.flatMap { $0 } ?? "0") ?? 0)
                }
                counts.heartbeats =
                    Int(
                        try connection.query(
                            "SELECT count(*) FROM worker_heartbeats WHERE seen_at < $1::timestamptz",
                            [heartbeatCutoff.description]
                        )
                        .rows.first?.first.flatMap { $0 } ?? "0") ?? 0
                return counts
            }
            // First say what is no longer complete, so a reconcile running meanwhile ignores it.
            try connection.query(
                """
                INSERT INTO retention (kept_from) VALUES ($1::date) ON CONFLICT (singleton)
                DO UPDATE SET kept_from = greatest(retention.kept_from, EXCLUDED.kept_from), pruned_at = now()
                """, [keptFrom.description])
            for step in steps {
                while true {  // one short transaction per chunk
                    let deleted = try connection.query(
                        step.delete + step.selection + ")",
                        [cutoff.description, keptFrom.description, String(policy.chunk)]
                    ).affected
                    counts.add(step.count, deleted)
                    if deleted < policy.chunk { break }
                }
            }
            counts.heartbeats = try connection.query(
                "DELETE FROM worker_heartbeats WHERE seen_at < $1::timestamptz",
                [heartbeatCutoff.description]
            ).affected
            return counts
        }
    }

    /// The first day whose windows and bookings are all kept; nil when nothing was ever pruned.
    public static func keptFrom(_ connection: PostgresConnection) throws(PostgresError) -> String? {
        try connection.query("SELECT kept_from::text FROM retention").rows.first?.first ?? nil
    }
}
