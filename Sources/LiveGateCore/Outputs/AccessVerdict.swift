/// `sly.access-verdict.v1`: exactly one per declaration or decision event.
public struct AccessVerdict: Sendable, Equatable {
    public enum Subject: String, Sendable { case declaration, decision }

    public let eventId: String
    public let tenantId: String
    public let subject: Subject
    public let accepted: Bool
    public let status: Int
    public let code: String?
    public let reason: String?
    public let errors: [FieldError]
    public let previousState: AccessState
    public let state: AccessState
    /// The decision action, `nil` for declarations (a field added to the contract's list).
    public let action: DecisionAction?
    public let decidedAt: UTCInstant
    /// For an accepted declaration with an expected monthly volume: the ceiling it suggests (contract v1.1).
    public var suggestedCeiling: CeilingLimits? = nil

    public var json: JSONValue {
        .object([
            ("event_id", .string(eventId)),
            ("tenant_id", .string(tenantId)),
            ("subject", .string(subject.rawValue)),
            ("outcome", .string(accepted ? "accepted" : "rejected")),
            ("status", .int(status)),
            ("code", .string(code)),
            ("reason", .string(reason)),
            ("errors", .errors(errors)),
            ("previous_state", .string(previousState.rawValue)),
            ("state", .string(state.rawValue)),
            ("action", .string(action?.rawValue)),
            ("suggested_ceiling", suggestedCeiling?.json ?? .null),
            ("decided_at", .instant(decidedAt)),
        ])
    }

    public var record: OutputRecord {
        var record = OutputRecord(topic: Topics.accessVerdict, key: tenantId, json: json)
        record.label = VerdictLabel(kind: subject.rawValue, outcome: accepted ? "accepted" : "rejected", reason: reason)
        return record
    }
}
