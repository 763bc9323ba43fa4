import LiveGateCore
import Postgres

/// Tenants whose `failed` resolutions gave back, today (UTC), more than half of what they booked today: a
/// money path declaring its payments failed to spend past its ceiling (book, move the money, release, repeat)
/// shows here before the month's usage does. For `serve`'s gauge `livegate_release_heavy_tenants`.
public enum ReleaseWatch {
    /// The count as of `instant`'s UTC day. The day's usage window holds used = booked − released, and
    /// `attempt_resolutions` what was released of the day's bookings, so released > half of booked exactly
    /// when released > used. Reads only today's resolutions (the BRIN index on `recorded_at`).
    public static func heavyTenants(at instant: UTCInstant, on connection: PostgresConnection) throws(StoreError) -> Int
    {
        let day = instant.date
        return try StoreError.converting {
            let rows = try connection.query(
                """
                SELECT count(*) FROM (
                    SELECT tenant_id, sum(released_micros) AS released FROM attempt_resolutions
                    WHERE recorded_at >= $2::timestamptz AND booked_day = $1::date
                      AND resolution = 'failed' AND released_micros > 0
                    GROUP BY tenant_id
                ) AS r
                LEFT JOIN usage_windows AS u
                    ON u.tenant_id = r.tenant_id AND u.window_kind = 'day' AND u.window_start = $1::date
                WHERE r.released > coalesce(u.used_micros, 0)
                """, [day.description, day.startInstant.description])
            guard let text = rows.rows.first?[0], let count = Int(text) else {
                throw StoreError.invariant("count(*) without a number")
            }
            return count
        }
    }
}
