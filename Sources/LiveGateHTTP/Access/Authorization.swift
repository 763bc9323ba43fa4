import Hummingbird

/// Applies `Access.decide` to every request of a route, before its handler: 401, 403 or 400 without running
/// it, so nothing is read or published for a refused caller. Routes are known by the router's name for them
/// (`context.endpointPath`); a request that matched no route goes on to the router's 404 or 405.
struct Authorization: RouterMiddleware {
    typealias Context = ServeContext
    let credentials: Credentials

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard let route = context.endpointPath, route != "NotFound" else { return try await next(request, context) }
        guard let rule = RouteAccess.rule(method: request.method, route: route) else {
            // A served route without a rule is a bug: refused, never open by omission.
            context.logger.error("a route has no access rule; refused", metadata: ["route": "\(route)"])
            return ServeError.response(.internalServerError, "internal_error", "this route has no access rule")
        }
        var context = context
        context.caller = credentials.lookup(authorization: request.headers[.authorization])
        switch Access.decide(context.caller, rule, tenant: rule.tenant == .path ? context.pathTenant : nil) {
        case let .allowed(tenant):
            context.boundTenant = rule.tenant == .boundToken ? tenant : nil
            return try await next(request, context)
        case let refusal:
            return ServeError.refusal(refusal)
        }
    }
}
