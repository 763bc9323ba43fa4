import Hummingbird

/// The one rule of who may call what: a route's `RouteAccess`, the caller's token and the tenant the request
/// is about give allowed or the refusal. Pure: the `Authorization` middleware applies it before a handler
/// runs, and the POST handlers apply it again with the body's `tenant_id` before anything is published.
public enum Access {
    public enum Decision: Sendable, Equatable {
        /// Go on; `tenant` is the one the request is about when the token decides it (`.boundToken`).
        case allowed(tenant: String?)
        /// No token, or an unknown one: 401.
        case unauthorized
        /// 403 with `reason`: `missing_scope` or `tenant_scope`.
        case forbidden(reason: String)
        /// 400 `tenant_required`: the route answers for the token's tenant, and it is bound to none.
        case tenantRequired
    }

    public static let missingScope = "missing_scope"
    public static let tenantScope = "tenant_scope"

    /// `tenant`: the tenant from the path or body, nil when it is not known yet (a POST before its body is read:
    /// the scope is checked now, the tenant once the handler has it).
    public static func decide(_ caller: Credentials.Lookup, _ rule: RouteAccess, tenant: String?) -> Decision {
        guard let scope = rule.scope else { return .allowed(tenant: nil) }
        let grant: Grant
        switch caller {
        case .unknown: return .unauthorized
        case .open: return rule.tenant == .boundToken ? .tenantRequired : .allowed(tenant: tenant)
        case let .granted(given): grant = given
        }
        guard grant.scopes.contains(scope) else { return .forbidden(reason: missingScope) }
        switch rule.tenant {
        case .boundToken:
            return grant.tenant.map { .allowed(tenant: $0) } ?? .tenantRequired
        case .everyTenant:
            return grant.tenant == nil ? .allowed(tenant: nil) : .forbidden(reason: tenantScope)
        case .path, .body, nil:
            guard let bound = grant.tenant else { return .allowed(tenant: tenant) }
            // A path route whose tenant cannot be read is no route to this token's tenant.
            guard let tenant else {
                return rule.tenant == .path ? .forbidden(reason: tenantScope) : .allowed(tenant: nil)
            }
            // Ids compare as bytes, as in the ledger: an NFC and an NFD spelling are two tenants.
            return bound.utf8.elementsEqual(tenant.utf8) ? .allowed(tenant: tenant) : .forbidden(reason: tenantScope)
        }
    }

    /// The check of a posted body's `tenant_id`, by the rule of the route it was posted to (a route without
    /// one is refused: fail closed).
    public static func bodyTenant(_ tenant: String, of caller: Credentials.Lookup, posting route: String) -> Decision {
        guard let rule = RouteAccess.rule(method: .post, route: route) else { return .forbidden(reason: missingScope) }
        return decide(caller, rule, tenant: tenant)
    }
}
