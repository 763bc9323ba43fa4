import Foundation
import Hummingbird
import LiveGateCore
import LiveGateStore
import Logging

extension StatusServer {
    /// The contract's status body for `tenantId`, read in one snapshot; 503 (with Retry-After) when PostgreSQL
    /// is away, slow or the queue full, 500 when a stored row cannot be read.
    func productionStatus(tenantId: String, pool: DatabasePool, logger: Logger) async -> Response {
        let rules = rules
        do {
            let asOf = WallClock.now()
            let body = try await pool.run { connection in
                try TenantReport.load(tenantId, at: asOf, on: connection, rules: rules).productionStatus(asOf: asOf)
            }
            return ServeError.json(.ok, body)
        } catch let error as StoreError where error.kind == .invariantViolated {
            // A stored row LiveGate cannot read (a bug, tampering, a newer schema): retrying will not help.
            logger.error("production status failed", metadata: ["error": "\(error)"])
            return ServeError.response(
                .internalServerError, "internal_error", "the tenant's stored state cannot be read")
        } catch {
            return Self.databaseFailure(error, logger: logger)
        }
    }

    /// The 503 for a failed read: `overloaded`, `timeout` or `database_unavailable`.
    static func databaseFailure(_ error: Error, logger: Logger) -> Response {
        switch error {
        case DatabasePool.Failure.overloaded:
            return ServeError.unavailable("overloaded", "too many requests in flight; retry")
        case DatabasePool.Failure.timedOut:
            return ServeError.unavailable("timeout", "PostgreSQL did not answer in time; retry")
        case let error as StoreError where error.underlying?.sqlState == "57014":
            return ServeError.unavailable("timeout", "PostgreSQL did not answer in time; retry")
        default:
            logger.warning("reading PostgreSQL failed", metadata: ["error": "\(error)"])
            return ServeError.response(
                .serviceUnavailable, "database_unavailable", "PostgreSQL is unavailable; retry",
                extra: [.retryAfter: "1"])
        }
    }
}
