import LiveGateCore
import Postgres

/// Recomputes every tenant's day and month usage from the recorded verdicts and compares it with the
/// usage counters and with the limits they were booked against. Read-only; ops run it after incidents,
/// and every reliability proof ends with it.
public enum Reconciler {
    public struct Report: Sendable {
        public var tenants = 0
        public var bookings = 0
        public var bookedTotal = Micros.zero
        /// Failed resolutions that gave headroom back, and how much.
        public var releases = 0
        public var releasedTotal = Micros.zero
        public var windows = 0
        /// The first day whose windows are compared: before it, `livegate prune` removed them (nil: never pruned).
        public var keptFrom: String?
        /// One line per inconsistency; empty when everything agrees.
        public var differences: [String] = []

        public var isClean: Bool { differences.isEmpty }
    }

    /// Windows where the counter differs from the bookings recorded with the verdicts, less the releases
    /// recorded with the resolutions (never below zero). Only windows from `retention.kept_from` on: before
    /// it, `livegate prune` may have removed windows and bookings (each window is kept whole or not at all).
    static let counterDrift: SQL = """
        WITH kept AS (SELECT coalesce((SELECT kept_from FROM retention), '-infinity'::date) AS day),
        moves AS (
            SELECT tenant_id, day, amount FROM (
                SELECT p.tenant_id, p.booked_micros AS amount,
        """ + VerdictColumns.bookedDay
            + """
            AS day
                    FROM processed_events p WHERE p.booked_micros IS NOT NULL) AS b
                WHERE day >= (SELECT day FROM kept)
                UNION ALL
                SELECT tenant_id, booked_day, -released_micros FROM attempt_resolutions
                WHERE released_micros > 0 AND booked_day >= (SELECT day FROM kept)),
            booked AS (
                SELECT tenant_id, 'day' AS kind, day AS start, greatest(sum(amount), 0) AS used FROM moves GROUP BY 1, 2, 3
                UNION ALL
                SELECT tenant_id, 'month', date_trunc('month', day)::date, greatest(sum(amount), 0) FROM moves GROUP BY 1, 2, 3),
            windows AS (SELECT * FROM usage_windows WHERE window_start >= (SELECT day FROM kept))
            SELECT coalesce(b.tenant_id, u.tenant_id), coalesce(b.kind, u.window_kind),
                   coalesce(b.start, u.window_start), coalesce(b.used, 0), coalesce(u.used_micros, 0)
            FROM booked b FULL JOIN windows u
              ON u.tenant_id = b.tenant_id AND u.window_kind = b.kind AND u.window_start = b.start
            WHERE coalesce(b.used, 0) <> coalesce(u.used_micros, 0)
            ORDER BY 1, 2, 3
            """

    /// Verdicts and bookings that disagree: a booking without an allowed live verdict for that amount, or
    /// an allowed, metered live verdict without a booking. A verdict is read from its facts (migration 14) or,
    /// for rows from before, from its text; the amount comes back as text (old rows) or micros (facts). A row of
    /// encoding 2 that left its amount out (it equals the booking) was checked to agree when it was written.
    static let verdictDrift: SQL =
        """
        WITH v AS (
            SELECT p.tenant_id || '/' || p.event_id AS event_id, p.booked_micros, p.verdict_encoding, p.verdict_status,
                   p.verdict_window,
        """ + VerdictColumns.environment + " AS verdict_environment, " + VerdictColumns.amount
            + """
             AS verdict_amount_micros,
                       CASE WHEN p.verdict_encoding IS NULL
                            THEN split_part(split_part(p.outputs, E'\\n', 1), E'\\t', 2)::jsonb END AS verdict
                FROM processed_events p WHERE
            """ + VerdictColumns.eventType + """
             = 'transaction.attempted'),
            f AS (
                SELECT event_id, booked_micros, verdict ->> 'amount' AS amount_text, verdict_amount_micros,
                       CASE WHEN verdict_encoding IS NULL THEN verdict ->> 'outcome'
                            WHEN verdict_status = 200 THEN 'allowed' ELSE 'denied' END AS outcome,
                       coalesce(verdict ->> 'environment', verdict_environment) AS environment,
                       CASE WHEN verdict_encoding IS NULL THEN verdict ->> 'window' ELSE verdict_window END AS window_name,
                       CASE WHEN verdict_encoding IS NULL THEN (verdict ->> 'amount')::numeric * 1000000
                            ELSE verdict_amount_micros END AS amount
                FROM v)
            SELECT event_id, coalesce(booked_micros::text, 'none'), outcome, amount_text, verdict_amount_micros
            FROM f
            WHERE (booked_micros IS NOT NULL AND NOT (outcome = 'allowed' AND environment = 'live'
                       AND amount = booked_micros))
               OR (booked_micros IS NULL AND outcome = 'allowed' AND environment = 'live' AND window_name IS NOT NULL)
            ORDER BY 1 LIMIT 1000
            """

    /// Releases that differ from what their attempt booked: a failed resolution gives back exactly that.
    static let releaseDrift: SQL = """
        SELECT r.tenant_id || '/' || r.event_id, r.released_micros, p.booked_micros
        FROM attempt_resolutions r
        LEFT JOIN processed_events p ON p.tenant_id = r.tenant_id AND p.event_id = r.attempt_id
        WHERE (r.booked_day IS NULL OR r.booked_day >= coalesce((SELECT kept_from FROM retention), '-infinity'::date))
          AND (r.released_micros <> CASE WHEN r.resolution = 'failed' THEN coalesce(p.booked_micros, 0) ELSE 0 END
               OR r.booked_day IS DISTINCT FROM
        """ + VerdictColumns.bookedDay + ") ORDER BY 1 LIMIT 1000"

    public static func run(url: String) throws(StoreError) -> Report {
        let connection = try LedgerStore.connect(url)
        do {
            try connection.query("SET statement_timeout = 0")  // a full scan of a large history may take a while
            // One snapshot for every query, so a running worker cannot make the parts disagree.
            try connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            defer { _ = try? connection.query("ROLLBACK") }
            var report = Report()
            let totals = try connection.query(
                """
                SELECT (SELECT count(*) FROM tenants), count(*), coalesce(sum(booked_micros), 0),
                       (SELECT count(*) FROM usage_windows),
                       (SELECT count(*) FROM attempt_resolutions WHERE released_micros > 0),
                       (SELECT coalesce(sum(released_micros), 0) FROM attempt_resolutions)
                FROM processed_events WHERE booked_micros IS NOT NULL
                """
            ).rows[0]
            report.keptFrom = try Retention.keptFrom(connection)
            report.tenants = Int(totals[0] ?? "") ?? 0
            report.bookings = Int(totals[1] ?? "") ?? 0
            report.bookedTotal = Micros(Int64(totals[2] ?? "") ?? 0)
            report.windows = Int(totals[3] ?? "") ?? 0
            report.releases = Int(totals[4] ?? "") ?? 0
            report.releasedTotal = Micros(Int64(totals[5] ?? "") ?? 0)
            for row in try connection.query(counterDrift).rows {
                report.differences.append(
                    "\(row[0] ?? "?") \(row[1] ?? "?") \(row[2] ?? "?"): verdicts book "
                        + "\(Micros(Int64(row[3] ?? "") ?? 0)), the counter says \(Micros(Int64(row[4] ?? "") ?? 0))")
            }
            for row in try connection.query(
                "SELECT tenant_id, window_kind, window_start, used_micros, limit_micros FROM usage_windows "
                    + "WHERE used_micros > limit_micros ORDER BY 1, 2, 3"
            ).rows {
                report.differences.append(
                    "\(row[0] ?? "?") \(row[1] ?? "?") \(row[2] ?? "?"): used "
                        + "\(Micros(Int64(row[3] ?? "") ?? 0)) exceeds its limit \(Micros(Int64(row[4] ?? "") ?? 0))")
            }
            for row in try connection.query(releaseDrift).rows {
                report.differences.append(
                    "\(row[0] ?? "?"): released \(Micros(Int64(row[1] ?? "") ?? 0)) of an attempt "
                        + "that booked \(row[2].flatMap(Int64.init).map { Micros($0).description } ?? "nothing")")
            }
            for row in try connection.query(verdictDrift).rows {
                report.differences.append(
                    "\(row[0] ?? "?"): booked \(row[1] ?? "?") but the verdict is "
                        + "\(row[2] ?? "?") for \(row[3] ?? row[4].flatMap(Int64.init).map { Micros($0).description } ?? "?")"
                )
            }
            return report
        } catch {
            throw .database(error)
        }
    }
}
