/// The stored state of one tenant: access state, ceiling override, review facts and status version.
public struct TenantRecord: Sendable, Equatable {
    public let tenantId: String
    public var state: AccessState
    public var override: CeilingOverride
    public var declaredAt: UTCInstant?
    public var reviewedAt: UTCInstant?
    public var reviewNotes: String?
    /// From the latest accepted declaration: where owner notifications go.
    public var ownerUserId: String?
    public var ownerEmail: String?
    public var ownerName: String?
    /// Increases by one with every change of state or ceiling; 0 for a tenant that never changed.
    public var version: Int64
    /// The ceiling suggested by the latest accepted declaration's expected monthly volume, if it gave one.
    public var suggested: CeilingLimits? = nil

    public init(
        tenantId: String, state: AccessState = .sandboxOnly, override: CeilingOverride = .none,
        declaredAt: UTCInstant? = nil, reviewedAt: UTCInstant? = nil, reviewNotes: String? = nil,
        ownerUserId: String? = nil, ownerEmail: String? = nil, ownerName: String? = nil, version: Int64 = 0
    ) {
        self.tenantId = tenantId
        self.state = state
        self.override = override
        self.declaredAt = declaredAt
        self.reviewedAt = reviewedAt
        self.reviewNotes = reviewNotes
        self.ownerUserId = ownerUserId
        self.ownerEmail = ownerEmail
        self.ownerName = ownerName
        self.version = version
    }

    /// The ceiling as set (for the status topic), or in force at `instant` (for an attempt at that time).
    public func ceiling(_ rules: Rules, at instant: UTCInstant? = nil) -> EffectiveCeiling {
        override.effective(defaults: rules.defaults, at: instant)
    }
}
