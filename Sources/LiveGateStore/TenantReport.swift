import LiveGateCore
import Postgres

/// A tenant's state, effective ceiling, and usage of the day and month containing an instant: what
/// `livegate status` shows. Read-only.
public struct TenantReport: Sendable {
    public let tenant: TenantRecord
    public let ceiling: EffectiveCeiling
    public let day: UsageWindow
    public let usedToday: Micros
    public let month: UsageWindow
    public let usedThisMonth: Micros
    /// Whether the tenant has ever been seen.
    public let known: Bool

    public static func load(
        _ tenantId: String, at instant: UTCInstant, url: String,
        rules: Rules = .standard
    ) throws(StoreError) -> TenantReport {
        try load(tenantId, at: instant, on: try LedgerStore.connect(url), rules: rules)
    }

    /// The same, on a connection the caller keeps (`livegate serve`'s pool). Two reads in one snapshot, so
    /// the tenant and its usage agree.
    public static func load(
        _ tenantId: String, at instant: UTCInstant, on connection: PostgresConnection,
        rules: Rules = .standard
    ) throws(StoreError) -> TenantReport {
        try StoreError.converting {
            try connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            defer { _ = try? connection.query("COMMIT") }
            let rows = try connection.query(
                "SELECT " + Rows.tenantColumns + " FROM tenants WHERE tenant_id = $1", [tenantId])
            let tenant = try rows.rows.first.map(Rows.tenant) ?? TenantRecord(tenantId: tenantId)
            let day = UsageWindow.day(containing: instant)
            let month = UsageWindow.month(containing: instant)
            let usage = try connection.query(
                """
                SELECT window_kind, used_micros FROM usage_windows
                WHERE tenant_id = $1 AND ((window_kind = 'day' AND window_start = $2) OR
                                          (window_kind = 'month' AND window_start = $3))
                """, [tenantId, day.start.description, month.start.description])
            var used: [String: Micros] = [:]
            for row in usage.rows { used[row[0] ?? ""] = try Rows.micros(row[1]) }
            return TenantReport(
                tenant: tenant, ceiling: tenant.ceiling(rules, at: instant), day: day, usedToday: used["day"] ?? .zero,
                month: month, usedThisMonth: used["month"] ?? .zero, known: !rows.rows.isEmpty)
        }
    }

    /// Headroom left in a window; never negative.
    public func remaining(limit: Micros, used: Micros) -> Micros { max(.zero, limit - used) }

    public var json: JSONValue {
        func window(_ w: UsageWindow, _ used: Micros, _ limit: Micros) -> JSONValue {
            .object([
                ("window_start", .string(w.startInstant.description)), ("resets_at", .string(w.resetsAt.description)),
                ("used", .string(used.description)), ("limit", .string(limit.description)),
                ("remaining", ceiling.disabled ? .null : .string(remaining(limit: limit, used: used).description)),
            ])
        }
        return .object([
            ("tenant_id", .string(tenant.tenantId)), ("known", .bool(known)), ("state", .string(tenant.state.rawValue)),
            ("live_allowed", .bool(tenant.state.liveAllowed)), ("ceiling", ceiling.json),
            ("today", window(day, usedToday, ceiling.limits.daily)),
            ("this_month", window(month, usedThisMonth, ceiling.limits.monthly)),
            ("override_expires_at", .instant(tenant.override.expiresAt)),
            ("suggested_ceiling", tenant.suggested?.json ?? .null),
            ("version", .number(String(tenant.version))),
        ])
    }

    /// The contract's `GET /v1/tenants/{tenant_id}/production-status` body ("Production status over HTTP"):
    /// the tenant status record, with the ceiling in force at `asOf`, the suggestion, and the usage of the
    /// UTC day and month containing `asOf`. With the ceiling disabled usage is still metered, and `limit`
    /// and `remaining` are null.
    public func productionStatus(asOf: UTCInstant) -> JSONValue {
        func window(_ w: UsageWindow, _ used: Micros, _ limit: Micros) -> JSONValue {
            .object([
                ("used", .string(used.description)),
                ("limit", ceiling.disabled ? .null : .string(limit.description)),
                ("remaining", ceiling.disabled ? .null : .string(remaining(limit: limit, used: used).description)),
                ("window_start", .string(w.startInstant.description)), ("resets_at", .string(w.resetsAt.description)),
            ])
        }
        return .object([
            ("tenant_id", .string(tenant.tenantId)), ("state", .string(tenant.state.rawValue)),
            ("live_allowed", .bool(tenant.state.liveAllowed)),
            ("declared_at", .instant(tenant.declaredAt)), ("reviewed_at", .instant(tenant.reviewedAt)),
            ("review_notes", .string(tenant.reviewNotes)), ("version", .int(tenant.version)),
            ("ceiling", ceiling.json), ("suggested_ceiling", tenant.suggested?.json ?? .null),
            (
                "usage",
                .object([
                    ("daily", window(day, usedToday, ceiling.limits.daily)),
                    ("monthly", window(month, usedThisMonth, ceiling.limits.monthly)),
                ])
            ),
            ("as_of", .string(asOf.description)),
        ])
    }
}
