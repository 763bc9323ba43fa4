/// What a bearer token may do (contract v1.2, "Who may call `livegate serve`"). A token has only the scopes
/// written on its line of the token file.
public enum Scope: String, CaseIterable, Sendable, Hashable {
    /// `GET /v1/tenants/{tenant_id}/production-status` and the tenant-bound `GET /v1/tenants/production-status`.
    case statusRead = "status:read"
    /// `POST /v1/transaction-attempts` and the stored verdicts under `…/transaction-attempts/{event_id}`.
    case attemptsWrite = "attempts:write"
    /// `POST /v1/transaction-resolutions` and the stored verdicts under `…/transaction-resolutions/{event_id}`.
    case resolutionsWrite = "resolutions:write"
    /// The review queue, history and ceiling simulations (routes to come).
    case adminRead = "admin:read"
}
