/// How an allowed attempt ended (contract v1.1, "transaction.resolved → releases headroom").
public enum ResolutionKind: String, Sendable, CaseIterable {
    /// The money moved: usage stays.
    case settled
    /// The money never moved (rail error, timeout before submission, void): what it booked is released.
    case failed
}

/// A `transaction.resolved` whose body is valid. It may still be refused before any state is consulted
/// (`refusal`: a missing or wrong signature, clock skew); its verdict then still says which attempt and what
/// resolution were refused.
public struct Resolution: Sendable, Equatable {
    public let occurredAt: UTCInstant
    public let attemptId: String
    public let kind: ResolutionKind
    /// The key that signed a `failed` resolution, when the workers check resolution signatures.
    public var signingKid: String? = nil
    /// Why it is refused whatever the state: 403 for a signature, 400 `occurred_at_skew`.
    public var refusal: Rejection? = nil
}

extension Resolution {
    /// Every body rule first, one 400 listing all that fail (whether a signature is needed depends on the
    /// body's `resolution`); then, with `rules.resolutionKeys`, a `failed` resolution's signature (403, contract
    /// v1.2: it gives headroom back, so only settlement may say it); then `occurred_at` against the record
    /// timestamp (400 `occurred_at_skew`), so a signed release cannot be held back and replayed later.
    static func check(_ json: JSONValue, recordTimestamp: UTCInstant?, rules: Rules) -> Checked<Resolution> {
        var errors: [FieldError] = []
        let (occurredAt, timeError) = FieldError.occurredAt(json)
        if let timeError { errors.append(timeError) }
        if Actor(json["actor"])?.isWellFormed != true {
            errors.append(FieldError("actor", "must be an object with a known kind and an id", reason: "invalid_actor"))
        }
        let attemptId = InputDecoder.usableId(json["attempt_id"])
        if attemptId == nil {
            errors.append(
                FieldError(
                    "attempt_id", "must be a string of 1 to 128 characters without control characters",
                    reason: "invalid_attempt_id"))
        }
        let kind = json["resolution"]?.stringValue.flatMap(ResolutionKind.init(rawValue:))
        if kind == nil {
            errors.append(FieldError("resolution", "must be settled or failed", reason: "invalid_resolution"))
        }
        guard errors.isEmpty, let occurredAt, let attemptId, let kind else {
            return .rejected(.invalid(errors, reason: "invalid_request"))
        }
        var resolution = Resolution(occurredAt: occurredAt, attemptId: attemptId, kind: kind)
        if kind == .failed, let keys = rules.resolutionKeys {
            switch keys.verify(json) {
            case let .valid(kid): resolution.signingKid = kid
            case let .rejected(rejection): resolution.refusal = rejection
            }
        }
        if resolution.refusal == nil, let skew = FieldError.skew(occurredAt, recordTimestamp, rules) {
            resolution.refusal = .invalid([skew])
        }
        return .valid(resolution)
    }
}
