import Hummingbird

/// What each route of `serve` asks of the caller's token: one table, read by the `Authorization` middleware.
/// A route is named as the router names it (`METHOD /path/{parameter}`); a served route missing here is
/// refused (fail closed), so a new route cannot be open by omission. The routes to come slot in as lines.
public struct RouteAccess: Sendable, Equatable {
    /// Where the tenant a request is about comes from.
    public enum Tenant: Sendable, Equatable {
        /// The route's `{tenant_id}`.
        case path
        /// The posted event's `tenant_id`: the handler checks it once the body is read (`Access.decide`).
        case body
        /// The tenant the token is bound to (`tenant=ID`); a token bound to none: 400 `tenant_required`.
        case boundToken
        /// Every tenant at once (a listing): a token bound to one tenant is refused.
        case everyTenant
    }

    /// nil: no token needed (probes and scrapes).
    public let scope: Scope?
    public let tenant: Tenant?

    public static let open = RouteAccess(scope: nil, tenant: nil)

    static func needs(_ scope: Scope, _ tenant: Tenant) -> RouteAccess { RouteAccess(scope: scope, tenant: tenant) }

    /// Every route, served now or to come (`GET /v1/review-queue`, `POST …/ceiling-simulations`).
    public static let table: [String: RouteAccess] = [
        "GET /healthz": .open,
        "GET /readyz": .open,
        "GET /metrics": .open,
        "GET /v1/tenants/production-status": .needs(.statusRead, .boundToken),
        "GET /v1/tenants/{tenant_id}/production-status": .needs(.statusRead, .path),
        "POST /v1/transaction-attempts": .needs(.attemptsWrite, .body),
        "POST /v1/transaction-resolutions": .needs(.resolutionsWrite, .body),
        "GET /v1/tenants/{tenant_id}/transaction-attempts/{event_id}": .needs(.attemptsWrite, .path),
        "GET /v1/tenants/{tenant_id}/transaction-resolutions/{event_id}": .needs(.resolutionsWrite, .path),
        "GET /v1/review-queue": .needs(.adminRead, .everyTenant),
        "POST /v1/tenants/{tenant_id}/ceiling-simulations": .needs(.adminRead, .path),
    ]

    /// The rule of a route (HEAD is GET's), or nil for a route the table does not know.
    public static func rule(method: HTTPRequest.Method, route: String) -> RouteAccess? {
        table["\(method == .head ? "GET" : method.rawValue) \(route)"]
    }
}
