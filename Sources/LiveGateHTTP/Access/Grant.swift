/// What one token grants: its scopes and, when its line says `tenant=ID`, the one tenant it may act for.
public struct Grant: Sendable, Equatable {
    public let scopes: Set<Scope>
    /// nil: any tenant.
    public let tenant: String?

    public init(scopes: Set<Scope>, tenant: String? = nil) {
        self.scopes = scopes
        self.tenant = tenant
    }
}
