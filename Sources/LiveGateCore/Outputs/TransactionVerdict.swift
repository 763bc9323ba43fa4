/// `sly.transaction-verdict.v1`: exactly one per transaction attempt.
public struct TransactionVerdict: Sendable, Equatable {
    public let eventId: String
    public let tenantId: String
    public let attempt: Attempt
    public let decision: AttemptDecision
    public let ceiling: EffectiveCeiling
    public let decidedAt: UTCInstant

    public var json: JSONValue {
        let report = decision.report
        return .object([
            ("event_id", .string(eventId)),
            ("tenant_id", .string(tenantId)),
            ("outcome", .string(decision.allowed ? "allowed" : "denied")),
            ("status", .int(decision.status)),
            ("code", .string(decision.code)),
            ("reason", .string(decision.reason)),
            ("errors", .errors(decision.errors)),
            ("environment", .string(attempt.environment?.rawValue)),
            ("rail", .string(attempt.rail?.rawValue)),
            ("currency", .string(attempt.currency)),
            ("amount", .micros(attempt.amount)),
            ("requested", .micros(attempt.amount)),
            ("window", .string(report?.name.rawValue)),
            ("limit", .micros(report?.limit)),
            ("used", .micros(report?.used)),
            ("remaining", .micros(report?.remaining)),
            ("window_start", .instant(report?.window?.startInstant)),
            ("resets_at", .instant(report?.window?.resetsAt)),
            ("ceiling", ceiling.json),
            ("decided_at", .instant(decidedAt)),
        ])
    }

    public var record: OutputRecord { OutputRecord(topic: Topics.transactionVerdict, key: tenantId, json: json) }
}
