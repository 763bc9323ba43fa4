/// `sly.tenant-status.v1` (compacted): the tenant's current state and effective ceiling. API nodes gate live
/// keys and live requests on it, so it is derived from the stored tenant alone and can be published again
/// at any time without moving a reader backwards.
public enum TenantStatus {
    public static func json(_ tenant: TenantRecord, rules: Rules) -> JSONValue {
        .object([
            ("tenant_id", .string(tenant.tenantId)),
            ("state", .string(tenant.state.rawValue)),
            ("live_allowed", .bool(tenant.state.liveAllowed)),
            ("ceiling", tenant.ceiling(rules).json),
            ("declared_at", .instant(tenant.declaredAt)),
            ("reviewed_at", .instant(tenant.reviewedAt)),
            ("review_notes", .string(tenant.reviewNotes)),
            ("version", .int(tenant.version)),
        ])
    }

    public static func record(_ tenant: TenantRecord, rules: Rules) -> OutputRecord {
        OutputRecord(topic: Topics.tenantStatus, key: tenant.tenantId, json: json(tenant, rules: rules))
    }
}
