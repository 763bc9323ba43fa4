/// An input record that could be addressed: it has a usable event id, tenant id and type on the right topic.
/// Its actor and body may still be invalid; that is decided by `body` and answered with a verdict.
public struct InputEvent: Sendable {
    public let eventId: String
    public let tenantId: String
    public let type: EventType
    /// The Kafka record timestamp (the epoch when the record has none). Verdicts are dated with it, so a
    /// replay of the record yields the same bytes.
    public let recordTimestamp: UTCInstant
    /// SHA-256 (hex) of the event's canonical text: the idempotency comparison key. Stored instead of the
    /// event itself, which holds personal data (an owner's name and email).
    public let fingerprint: String
    public let body: Body

    public enum Body: Sendable {
        case declaration(Checked<Declaration>)
        case decision(Checked<Decision>)
        case attempt(Attempt)
        case resolution(Checked<Resolution>)
    }

    public init(
        eventId: String, tenantId: String, type: EventType, recordTimestamp: UTCInstant,
        fingerprint: String, body: Body
    ) {
        self.eventId = eventId
        self.tenantId = tenantId
        self.type = type
        self.recordTimestamp = recordTimestamp
        self.fingerprint = fingerprint
        self.body = body
    }
}

extension FieldError {
    /// The history records who decided or declared: an actor without a usable id is refused.
    static let actorId = FieldError("actor.id", "must be a string of 1 to 128 characters")

    /// The skew guard: an `occurred_at` more than `rules.skewToleranceMillis` from the record timestamp (or
    /// an input without a usable record timestamp) is refused with reason `occurred_at_skew`, so a wrong or
    /// backdated clock cannot book into another window, and a signed input cannot be held back and replayed.
    static func skew(_ occurredAt: UTCInstant, _ record: UTCInstant?, _ rules: Rules) -> FieldError? {
        guard let record else { return skewError(rules) }
        let (difference, overflow) = occurredAt.millis.subtractingReportingOverflow(record.millis)
        return !overflow && difference.magnitude <= UInt64(rules.skewToleranceMillis) ? nil : skewError(rules)
    }

    private static func skewError(_ rules: Rules) -> FieldError {
        FieldError(
            "occurred_at", "is more than \(rules.skewToleranceMillis / 1000) s from the record timestamp",
            reason: "occurred_at_skew")
    }

    static func occurredAt(_ json: JSONValue) -> (UTCInstant?, FieldError?) {
        if let text = json["occurred_at"]?.stringValue, let instant = RFC3339.parse(text) {
            return (instant, nil)
        }
        return (
            nil,
            FieldError(
                "occurred_at", "must be an RFC 3339 timestamp with an offset",
                reason: "invalid_occurred_at")
        )
    }
}

extension JSONValue {
    /// A string that can be stored as PostgreSQL text (no U+0000); anything else reads as absent.
    var storableString: String? {
        guard let s = stringValue, !s.utf8.contains(0) else { return nil }
        return s
    }

    /// A storable string of at most `maxScalars` characters; anything else reads as absent.
    func boundedString(_ maxScalars: Int) -> String? {
        storableString.flatMap { $0.unicodeScalars.count <= maxScalars ? $0 : nil }
    }
}

extension String {
    var scalarCount: Int { unicodeScalars.count }
    var isBlank: Bool { unicodeScalars.allSatisfy { $0.properties.isWhitespace } }
}
