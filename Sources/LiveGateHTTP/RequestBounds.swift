import Hummingbird
import Synchronization

/// At most `maxInFlight` requests are being answered at once; the rest get 503 at once.
struct RequestBounds<Context: RequestContext>: RouterMiddleware {
    final class Count: Sendable { let value = Atomic<Int>(0) }

    let maxInFlight: Int
    let inFlight = Count()

    init(maxInFlight: Int) { self.maxInFlight = maxInFlight }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let now = inFlight.value.wrappingAdd(1, ordering: .relaxed).newValue
        defer { inFlight.value.wrappingSubtract(1, ordering: .relaxed) }
        guard now <= maxInFlight else {
            return ServeError.unavailable("overloaded", "too many requests in flight; retry")
        }
        return try await next(request, context)
    }
}
