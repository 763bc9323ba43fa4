/// A tenant in `declaration_pending` as the store keeps it: what its latest accepted declaration said.
/// The owner's email and name are personal data: they appear in the review queue (scope `admin:read`) and
/// nowhere else, never in a log line.
public struct PendingDeclaration: Sendable, Equatable {
    public let tenantId: String
    public let declaredAt: UTCInstant
    /// nil for a declaration accepted before LiveGate kept these fields (schema version 12).
    public let intendedUseCase: String?
    /// The declared `expected_monthly_volume_usd` as the JSON number it was written as; nil when not given.
    public let expectedMonthlyVolumeUSD: String?
    public let websiteURL: String?
    public let suggested: CeilingLimits?
    public let ownerEmail: String?
    public let ownerName: String?
    public let version: Int64

    public init(
        tenantId: String, declaredAt: UTCInstant, intendedUseCase: String? = nil,
        expectedMonthlyVolumeUSD: String? = nil, websiteURL: String? = nil, suggested: CeilingLimits? = nil,
        ownerEmail: String? = nil, ownerName: String? = nil, version: Int64 = 1
    ) {
        self.tenantId = tenantId
        self.declaredAt = declaredAt
        self.intendedUseCase = intendedUseCase
        self.expectedMonthlyVolumeUSD = expectedMonthlyVolumeUSD
        self.websiteURL = websiteURL
        self.suggested = suggested
        self.ownerEmail = ownerEmail
        self.ownerName = ownerName
        self.version = version
    }
}
