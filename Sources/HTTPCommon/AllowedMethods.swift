import Hummingbird

/// A method a served path does not answer is 405 with `Allow`, not 404 (Hummingbird's router answers 404 for
/// both). Paths are matched against the served routes' names (`GET /v1/tenants/{tenant_id}/production-status`),
/// a `{parameter}` standing for one non-empty segment.
///
/// Add it to the router after every route, once: then it wraps only the router's not-found answer, and a
/// served route's requests do not pass through it (each middleware is an async frame, about a kilobyte of task
/// memory, that every waiting call would hold).
public struct AllowedMethods<Context: RequestContext>: RouterMiddleware {
    /// Route templates by their segments, with the methods each answers (HEAD with GET).
    let templates: [(segments: [Substring], methods: [HTTPRequest.Method])]
    /// The 405's body for a list of allowed methods (`GET, HEAD`); the middleware adds `Allow`.
    let refusal: @Sendable (_ allowed: String) -> Response

    /// `routes` as the router names them (`METHOD /path/{parameter}`); `refusal` builds the 405 in the
    /// surface's own error format (plain text by default).
    public init(routes: [String], refusal: @escaping @Sendable (_ allowed: String) -> Response = Self.plainRefusal) {
        var byPath: [String: [HTTPRequest.Method]] = [:]
        var order: [String] = []
        for route in routes {
            let parts = route.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, let method = HTTPRequest.Method(String(parts[0])) else { continue }
            let path = String(parts[1])
            if byPath[path] == nil { order.append(path) }
            byPath[path, default: []] += method == .get ? [.get, .head] : [method]
        }
        templates = order.map { ($0.split(separator: "/"), byPath[$0]!) }
        self.refusal = refusal
    }

    /// `405 only GET, HEAD here` as plain text.
    public static func plainRefusal(_ allowed: String) -> Response {
        PlainText.response(.methodNotAllowed, "only \(allowed) here\n")
    }

    /// The methods `path` is answered with, or nil when no served route has that shape.
    public func methods(of path: String) -> [HTTPRequest.Method]? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        return templates.first { template in
            template.segments.count == segments.count
                && zip(template.segments, segments).allSatisfy { pattern, segment in
                    pattern.hasPrefix("{") ? !segment.isEmpty : pattern == segment
                }
        }?.methods
    }

    public func handle(
        _ request: Request, context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let methods = methods(of: request.uri.path), !methods.contains(request.method) else {
            return try await next(request, context)
        }
        let names = methods.map(\.rawValue).joined(separator: ", ")
        var response = refusal(names)
        response.headers[.allow] = names
        return response
    }
}
