import Hummingbird
import LiveGateCore

/// Reserves a request's body bytes in `BodyBudget` before its handler reads the body; 503 with Retry-After
/// when they do not fit, 413 at once when Content-Length announces more than `Intake.maxBodyBytes`.
struct BodyBudgetMiddleware: RouterMiddleware {
    typealias Context = ServeContext
    let budget: BodyBudget

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let declared = request.headers[.contentLength].flatMap { Int($0) }
        if let declared, declared > Intake.maxBodyBytes {
            return ServeError.response(.contentTooLarge, "body_too_large", "the body is larger than \(Intake.maxBodyBytes) bytes")
        }
        guard let reservation = budget.reserve(declared ?? Intake.maxBodyBytes) else {
            return ServeError.unavailable("body_budget", "too many request bodies in flight; retry")
        }
        defer { reservation.release() }
        var context = context
        context.bodyReservation = reservation
        return try await next(request, context)
    }
}
