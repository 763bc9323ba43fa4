/// How an allowed attempt ended (contract v1.1, "transaction.resolved → releases headroom").
public enum ResolutionKind: String, Sendable, CaseIterable {
    /// The money moved: usage stays.
    case settled
    /// The money never moved (rail error, timeout before submission, void): what it booked is released.
    case failed
}

/// A valid `transaction.resolved` body.
public struct Resolution: Sendable, Equatable {
    public let occurredAt: UTCInstant
    public let attemptId: String
    public let kind: ResolutionKind
    /// The key that signed a `failed` resolution, when the workers check resolution signatures.
    public var signingKid: String? = nil
}

extension Resolution {
    /// With `rules.resolutionKeys`, a `failed` resolution's signature is checked first (403, contract v1.2:
    /// it gives headroom back, so only settlement may say it); then every body rule, one 400 listing all that
    /// fail; then `occurred_at` against the record timestamp (400 `occurred_at_skew`), so a signed release
    /// cannot be held back and replayed later.
    static func check(_ json: JSONValue, recordTimestamp: UTCInstant?, rules: Rules) -> Checked<Resolution> {
        var signingKid: String? = nil
        if let keys = rules.resolutionKeys, json["resolution"]?.stringValue == ResolutionKind.failed.rawValue {
            switch keys.verify(json) {
            case let .valid(kid): signingKid = kid
            case let .rejected(rejection): return .rejected(rejection)
            }
        }
        var errors: [FieldError] = []
        let (occurredAt, timeError) = FieldError.occurredAt(json)
        if let timeError { errors.append(timeError) }
        if Actor(json["actor"])?.isWellFormed != true {
            errors.append(FieldError("actor", "must be an object with a known kind and an id", reason: "invalid_actor"))
        }
        let attemptId = InputDecoder.usableId(json["attempt_id"])
        if attemptId == nil {
            errors.append(FieldError("attempt_id", "must be a string of 1 to 128 characters without control characters",
                                     reason: "invalid_attempt_id"))
        }
        let kind = json["resolution"]?.stringValue.flatMap(ResolutionKind.init(rawValue:))
        if kind == nil {
            errors.append(FieldError("resolution", "must be settled or failed", reason: "invalid_resolution"))
        }
        guard errors.isEmpty, let occurredAt, let attemptId, let kind else {
            return .rejected(.invalid(errors, reason: "invalid_request"))
        }
        if let skew = FieldError.skew(occurredAt, recordTimestamp, rules) { return .rejected(.invalid([skew])) }
        return .valid(Resolution(occurredAt: occurredAt, attemptId: attemptId, kind: kind, signingKid: signingKid))
    }
}
