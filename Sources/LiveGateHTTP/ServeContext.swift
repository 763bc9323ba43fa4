import Hummingbird

/// The request context of `livegate serve`: what the middleware learned about a request, for its handler.
public struct ServeContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The caller's token as the `Authorization` middleware found it (the POST handlers check the body's
    /// tenant against it). Unknown until the middleware says otherwise: a route it did not see refuses.
    public var caller: Credentials.Lookup = .unknown
    /// The tenant a token-bound route is about (`GET /v1/tenants/production-status`).
    public var boundTenant: String?

    public init(source: Source) { coreContext = .init(source: source) }

    /// The request's `{tenant_id}`, percent-decoded, or nil when the route has none.
    var pathTenant: String? { parameters.get("tenant_id")?.removingPercentEncoding }
}
