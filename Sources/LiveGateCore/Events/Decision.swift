/// What a platform admin decided.
public enum DecisionAction: String, Sendable, CaseIterable {
    case approve
    case deny
    case suspend
    case setCeiling = "set_ceiling"

    var needsReviewNotes: Bool { self == .deny || self == .suspend }
}

/// A valid `decision.recorded` body.
public struct Decision: Sendable, Equatable {
    public let occurredAt: UTCInstant
    public let adminId: String?
    public let action: DecisionAction
    public let reviewNotes: String?
    /// The new override; `nil` keeps the tenant's current one (only `approve` may omit it).
    public let ceiling: CeilingOverride?
    /// The key that signed it, when the worker checks signatures.
    public var signingKid: String? = nil
}

extension Decision {
    static let maxReviewNotesScalars = 2000

    /// With `keys`, the signature is checked first (contract, "Signed decisions").
    static func check(_ json: JSONValue, keys: DecisionKeySet? = nil) -> Checked<Decision> {
        var signingKid: String? = nil
        if let keys {
            switch keys.verify(json) {
            case let .valid(kid): signingKid = kid
            case let .rejected(rejection): return .rejected(rejection)
            }
        }
        let actor = Actor(json["actor"])
        guard let actor, actor.isPlatformAdmin else { return .rejected(.forbidden("actor_not_platform_admin")) }
        var errors: [FieldError] = []
        let (occurredAt, timeError) = FieldError.occurredAt(json)
        if let timeError { errors.append(timeError) }
        if actor.id == nil || actor.id!.isEmpty { errors.append(.actorId) }
        let action = json["action"]?.stringValue.flatMap(DecisionAction.init(rawValue:))
        if action == nil {
            errors.append(FieldError("action", "must be one of approve, deny, suspend, set_ceiling"))
        }
        let notes = json["review_notes"]
        let notesText = notes?.storableString
        if let notes, !notes.isNull, notesText.map({ $0.scalarCount <= maxReviewNotesScalars }) != true {
            errors.append(FieldError("review_notes", "must be a string of at most 2000 characters, without U+0000"))
        } else if action?.needsReviewNotes == true, notesText.map({ !$0.isBlank }) != true {
            errors.append(FieldError("review_notes", "is required to \(action!.rawValue)"))
        }
        let (ceiling, ceilingErrors) = parseCeiling(json["ceiling"], required: action == .setCeiling)
        errors += ceilingErrors
        guard errors.isEmpty, let occurredAt, let action else { return .rejected(.invalid(errors, reason: "invalid_request")) }
        return .valid(Decision(occurredAt: occurredAt, adminId: actor.id, action: action,
                               reviewNotes: notesText, ceiling: ceiling, signingKid: signingKid))
    }

    /// Each limit is a positive amount string or `null` (a missing limit also means the platform default);
    /// `disabled` is a boolean, `false` when missing.
    static func parseCeiling(_ json: JSONValue?, required: Bool) -> (CeilingOverride?, [FieldError]) {
        guard let json, !json.isNull else {
            return (nil, required ? [FieldError("ceiling", "is required to set_ceiling")] : [])
        }
        guard case .object = json else { return (nil, [FieldError("ceiling", "must be an object")]) }
        var errors: [FieldError] = []
        func limit(_ name: String) -> Micros? {
            guard let value = json[name], !value.isNull else { return nil }
            if let micros = value.stringValue.flatMap(Micros.init(parsing:)) { return micros }
            errors.append(FieldError("ceiling.\(name)", "must be a positive decimal amount string or null"))
            return nil
        }
        let override = CeilingOverride(perTx: limit("per_tx"), daily: limit("daily"), monthly: limit("monthly"))
        var disabled = false
        if let flag = json["disabled"], !flag.isNull {
            if case let .bool(b) = flag { disabled = b } else {
                errors.append(FieldError("ceiling.disabled", "must be a boolean"))
            }
        }
        guard errors.isEmpty else { return (nil, errors) }
        return (CeilingOverride(perTx: override.perTx, daily: override.daily, monthly: override.monthly,
                                disabled: disabled), [])
    }
}
