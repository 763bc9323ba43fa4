import Hummingbird
import LiveGateCore
import LiveGateStore
import Logging

extension StatusServer {
    /// `GET /v1/review-queue` (scope `admin:read`, no tenant-bound token): the pending declarations, oldest
    /// first, as `livegate queue --json` prints them. The owner's email and name are in the body (an admin may
    /// see them) and never in a log line: failures log only the error.
    func reviewQueueAnswer(pool: DatabasePool, logger: Logger) async -> Response {
        let settings = reviewQueue
        do {
            let now = WallClock.now()
            let page = try await pool.run { try PendingDeclarations.load(limit: settings.max, on: $0) }
            return ServeError.json(.ok, ReviewQueue(page.oldest, settings: settings, now: now).json)
        } catch let error as StoreError where error.kind == .invariantViolated {
            logger.error("review queue failed", metadata: ["error": "\(error)"])
            return ServeError.response(
                .internalServerError, "internal_error", "a pending tenant's stored state cannot be read")
        } catch {
            return Self.databaseFailure(error, logger: logger)
        }
    }
}
