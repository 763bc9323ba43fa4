/// What one limit of a proposed ceiling does to the tenant's current one.
public enum LimitChange: Sendable, Equatable {
    /// Omitted: the tenant's current value (its override's, or the platform default when it has none).
    case keep
    /// `null`: the platform default.
    case platformDefault
    case set(Micros)

    func applied(to current: Micros?) -> Micros? {
        switch self {
        case .keep: return current
        case .platformDefault: return nil
        case let .set(limit): return limit
        }
    }
}

/// The ceiling a what-if proposes (contract v1.2, "What-if before changing a ceiling"): each limit kept, set to
/// the platform default, or set; the flag kept or set. Applied to the tenant's current override, it gives the
/// override the simulation decides under. `expires_at` is not part of a proposal and is kept as it is, so
/// proposing nothing is exactly the ceiling in force, expiry included.
public struct CeilingProposal: Sendable, Equatable {
    public var perTx: LimitChange
    public var daily: LimitChange
    public var monthly: LimitChange
    /// nil keeps the current flag.
    public var disabled: Bool?

    public init(
        perTx: LimitChange = .keep, daily: LimitChange = .keep, monthly: LimitChange = .keep, disabled: Bool? = nil
    ) {
        (self.perTx, self.daily, self.monthly, self.disabled) = (perTx, daily, monthly, disabled)
    }

    /// The current ceiling, unchanged.
    public static let current = CeilingProposal()

    public func applied(to current: CeilingOverride) -> CeilingOverride {
        CeilingOverride(
            perTx: perTx.applied(to: current.perTx), daily: daily.applied(to: current.daily),
            monthly: monthly.applied(to: current.monthly), disabled: disabled ?? current.disabled,
            expiresAt: current.expiresAt)
    }

    /// The body of `POST /v1/tenants/{tenant_id}/ceiling-simulations`: `{"ceiling": {"per_tx", "daily",
    /// "monthly", "disabled"}}`, each member optional; a limit is a positive amount string (as in decisions) or
    /// `null`, `disabled` a boolean. Strict: an unknown member is refused, so a misspelt limit is not silently
    /// "kept". The errors name every failing field.
    public static func parse(_ body: JSONValue) -> Result<CeilingProposal, InvalidProposal> {
        guard case let .object(members) = body else {
            return .failure(
                InvalidProposal(errors: [FieldError("body", "must be a JSON object", reason: "not_an_object")]))
        }
        var errors: [FieldError] = []
        for member in members where member.key != "ceiling" {
            errors.append(FieldError(member.key, "is not a member of a simulation request", reason: "unknown_field"))
        }
        guard case let .object(fields)? = body["ceiling"] else {
            return .failure(
                InvalidProposal(
                    errors: errors + [FieldError("ceiling", "must be an object", reason: "invalid_ceiling")]))
        }
        var proposal = CeilingProposal()
        for (key, value) in fields {
            switch key {
            case "per_tx", "daily", "monthly":
                let change: LimitChange
                if value.isNull {
                    change = .platformDefault
                } else if let limit = value.stringValue.flatMap(Micros.init(parsing:)) {
                    change = .set(limit)
                } else {
                    errors.append(
                        FieldError(
                            "ceiling.\(key)", "must be a positive amount string (at most 1000000000) or null",
                            reason: "invalid_limit"))
                    continue
                }
                switch key {
                case "per_tx": proposal.perTx = change
                case "daily": proposal.daily = change
                default: proposal.monthly = change
                }
            case "disabled":
                guard case let .bool(flag) = value else {
                    errors.append(FieldError("ceiling.disabled", "must be true or false", reason: "invalid_disabled"))
                    continue
                }
                proposal.disabled = flag
            default:
                errors.append(
                    FieldError("ceiling.\(key)", "is not a member of a proposed ceiling", reason: "unknown_field"))
            }
        }
        return errors.isEmpty ? .success(proposal) : .failure(InvalidProposal(errors: errors))
    }
}

/// Why a simulation request's body is no proposal: every failing field.
public struct InvalidProposal: Error, Sendable, Equatable {
    public let errors: [FieldError]
}
