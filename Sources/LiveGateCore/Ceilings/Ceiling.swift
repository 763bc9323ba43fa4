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

/// A tenant's admin override. `nil` limits fall back to the platform default; `disabled` lifts the ceiling;
/// from `expiresAt` on (when set), the platform default applies again.
public struct CeilingOverride: Sendable, Equatable {
    public var perTx: Micros?
    public var daily: Micros?
    public var monthly: Micros?
    public var disabled: Bool
    public var expiresAt: UTCInstant?

    public init(
        perTx: Micros? = nil, daily: Micros? = nil, monthly: Micros? = nil, disabled: Bool = false,
        expiresAt: UTCInstant? = nil
    ) {
        (self.perTx, self.daily, self.monthly, self.disabled, self.expiresAt) = (
            perTx, daily, monthly, disabled, expiresAt
        )
    }

    public init(_ limits: CeilingLimits) {
        self.init(perTx: limits.perTx, daily: limits.daily, monthly: limits.monthly)
    }

    public static let none = CeilingOverride()

    /// The ceiling in force at `instant` (as set, when `instant` is nil): past its expiry, the platform default.
    public func effective(defaults: CeilingLimits, at instant: UTCInstant? = nil) -> EffectiveCeiling {
        if let expiresAt, let instant, !(instant < expiresAt) {
            return EffectiveCeiling(limits: defaults, disabled: false, source: .platformDefault, expiresAt: nil)
        }
        return EffectiveCeiling(
            limits: CeilingLimits(
                perTx: perTx ?? defaults.perTx, daily: daily ?? defaults.daily,
                monthly: monthly ?? defaults.monthly),
            disabled: disabled,
            source: self == .none ? .platformDefault : .override, expiresAt: expiresAt)
    }

    /// The suggested ceiling of a declaration (contract v1.1): from the expected monthly volume V and the
    /// platform defaults P, D, M: monthly = min(M, max(M/4, V rounded up to $100)); daily = min(D, max(P,
    /// monthly/4 rounded up to $50)); per_tx = min(P, daily). `volumeDollars` is V rounded up to whole dollars.
    public static func suggested(volumeDollars: Int64, defaults d: CeilingLimits) -> CeilingLimits {
        func roundedUp(_ m: Micros, to step: Micros) -> Micros {
            Micros((m.value / step.value + (m.value % step.value == 0 ? 0 : 1)) * step.value)
        }
        let volume = roundedUp(.dollars(min(volumeDollars, 1_000_000_000)), to: .dollars(100))
        let monthly = min(d.monthly, max(Micros(d.monthly.value / 4), volume))
        let daily = min(d.daily, max(d.perTx, roundedUp(Micros(monthly.value / 4), to: .dollars(50))))
        return CeilingLimits(perTx: min(d.perTx, daily), daily: daily, monthly: monthly)
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
    /// When an override stops applying; nil when none does.
    public let expiresAt: UTCInstant?

    public init(limits: CeilingLimits, disabled: Bool, source: Source, expiresAt: UTCInstant? = nil) {
        (self.limits, self.disabled, self.source, self.expiresAt) = (limits, disabled, source, expiresAt)
    }

    public var json: JSONValue {
        .object([
            ("per_tx", .string(limits.perTx.description)),
            ("daily", .string(limits.daily.description)),
            ("monthly", .string(limits.monthly.description)),
            ("disabled", .bool(disabled)),
            ("source", .string(source.rawValue)),
            ("expires_at", .instant(expiresAt)),
        ])
    }
}

extension CeilingLimits {
    /// `{"per_tx", "daily", "monthly"}` as decimal strings.
    public var json: JSONValue {
        .object([
            ("per_tx", .string(perTx.description)), ("daily", .string(daily.description)),
            ("monthly", .string(monthly.description)),
        ])
    }
}
