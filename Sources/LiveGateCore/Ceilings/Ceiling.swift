/// The three beta limits. Used both for the platform defaults and for an effective ceiling.
public struct CeilingLimits: Sendable, Equatable {
    public var perTx: Micros
    public var daily: Micros
    public var monthly: Micros

    public init(perTx: Micros, daily: Micros, monthly: Micros) {
        (self.perTx, self.daily, self.monthly) = (perTx, daily, monthly)
    }

    /// The beta defaults: $100 per transaction, $500 per UTC day, $2,000 per UTC calendar month.
    public static let betaDefaults = CeilingLimits(perTx: .dollars(100), daily: .dollars(500), monthly: .dollars(2000))
}

/// A tenant's admin override. `nil` limits fall back to the platform default; `disabled` lifts the ceiling.
public struct CeilingOverride: Sendable, Equatable {
    public var perTx: Micros?
    public var daily: Micros?
    public var monthly: Micros?
    public var disabled: Bool

    public init(perTx: Micros? = nil, daily: Micros? = nil, monthly: Micros? = nil, disabled: Bool = false) {
        (self.perTx, self.daily, self.monthly, self.disabled) = (perTx, daily, monthly, disabled)
    }

    public static let none = CeilingOverride()

    public func effective(defaults: CeilingLimits) -> EffectiveCeiling {
        EffectiveCeiling(
            limits: CeilingLimits(perTx: perTx ?? defaults.perTx, daily: daily ?? defaults.daily,
                                  monthly: monthly ?? defaults.monthly),
            disabled: disabled,
            source: self == .none ? .platformDefault : .override)
    }
}

/// The ceiling in force for a tenant, as verdicts and the tenant status report it.
public struct EffectiveCeiling: Sendable, Equatable {
    public enum Source: String, Sendable {
        case platformDefault = "platform_default"
        case override
    }

    public let limits: CeilingLimits
    public let disabled: Bool
    public let source: Source

    public var json: JSONValue {
        .object([
            ("per_tx", .string(limits.perTx.description)),
            ("daily", .string(limits.daily.description)),
            ("monthly", .string(limits.monthly.description)),
            ("disabled", .bool(disabled)),
            ("source", .string(source.rawValue)),
        ])
    }
}
