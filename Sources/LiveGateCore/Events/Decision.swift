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
    /// Apply only if the tenant is still at this version (409 `VERSION_CONFLICT` otherwise).
    public var expectedVersion: Int64? = nil
    /// `approve` only: the tenant's suggested ceiling becomes its override (the platform default without one).
    public var useSuggestedCeiling = false
}

extension Decision {
    static let maxReviewNotesScalars = 2000

    /// With `rules.decisionKeys`, the signature is checked first (contract, "Signed decisions"); then the
    /// actor, the body, and (v1.2) `occurred_at` against the record timestamp (400 `occurred_at_skew`), so a
    /// signed decision cannot be held back and replayed later.
    static func check(_ json: JSONValue, recordTimestamp: UTCInstant?, rules: Rules) -> Checked<Decision> {
        var signingKid: String? = nil
        if let keys = rules.decisionKeys {
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
        if let expiresAt = ceiling?.expiresAt, let occurredAt, !(occurredAt < expiresAt) {
            errors.append(FieldError("ceiling.expires_at", "must be later than occurred_at"))
        }
        let expectedVersion = json["expected_version"].flatMap { $0.isNull ? nil : $0 }
        let version = expectedVersion.flatMap(Self.version)
        if expectedVersion != nil, version == nil {
            errors.append(FieldError("expected_version", "must be an integer from 0 to 9007199254740991"))
        }
        var useSuggested = false
        if let flag = json["use_suggested_ceiling"], !flag.isNull {
            if case let .bool(b) = flag {
                useSuggested = b
            } else {
                errors.append(FieldError("use_suggested_ceiling", "must be a boolean"))
            }
        }
        if useSuggested, action != .approve {
            errors.append(FieldError("use_suggested_ceiling", "applies to approve only"))
        } else if useSuggested, ceiling != nil {
            errors.append(FieldError("use_suggested_ceiling", "cannot be combined with a ceiling"))
        }
        guard errors.isEmpty, let occurredAt, let action else {
            return .rejected(.invalid(errors, reason: "invalid_request"))
        }
        if let skew = FieldError.skew(occurredAt, recordTimestamp, rules) { return .rejected(.invalid([skew])) }
        return .valid(
            Decision(
                occurredAt: occurredAt, adminId: actor.id, action: action,
                reviewNotes: notesText, ceiling: ceiling, signingKid: signingKid,
                expectedVersion: version, useSuggestedCeiling: useSuggested))
    }

    /// A non-negative integer literal no larger than JSON's exact integers: `7`, also `7.0` or `7e0`.
    static func version(_ value: JSONValue) -> Int64? {
        guard case let .number(literal) = value else { return nil }
        let canonical = JSONValue.canonicalNumber(literal)
        if canonical == "0" { return 0 }
        guard !canonical.hasPrefix("-") else { return nil }
        let parts = canonical.split(separator: "e", maxSplits: 1)
        let digits = Array(parts[0].utf8.filter { $0 != UInt8(ascii: ".") })
        guard let exponent = parts.count > 1 ? Int(parts[1]) : 0, exponent >= digits.count - 1, exponent < 16 else {
            return nil
        }
        var value: Int64 = 0
        for i in 0...exponent { value = value * 10 + (i < digits.count ? Int64(digits[i] - UInt8(ascii: "0")) : 0) }
        return value <= 9_007_199_254_740_991 ? value : nil
    }

    /// Each limit is a positive amount string or `null` (a missing limit also means the platform default);
    /// `disabled` is a boolean, `false` when missing; `expires_at` an RFC 3339 time or `null`.
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
            if case let .bool(b) = flag {
                disabled = b
            } else {
                errors.append(FieldError("ceiling.disabled", "must be a boolean"))
            }
        }
        var expiresAt: UTCInstant? = nil
        if let expiry = json["expires_at"], !expiry.isNull {
            expiresAt = expiry.stringValue.flatMap(RFC3339.parse)
            if expiresAt == nil {
                errors.append(FieldError("ceiling.expires_at", "must be an RFC 3339 timestamp with an offset"))
            }
        }
        guard errors.isEmpty else { return (nil, errors) }
        return (
            CeilingOverride(
                perTx: override.perTx, daily: override.daily, monthly: override.monthly,
                disabled: disabled, expiresAt: expiresAt), []
        )
    }
}
