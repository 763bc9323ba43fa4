import LiveGateStore
import Logging
import Postgres

/// A command that applies inputs refuses to start on a schema it was not built for: one not migrated yet
/// fails its first batch, and one a newer LiveGate migrated would be applied by older rules (a v1.1 worker
/// on schema 9 would still treat event ids as global and releases as unsigned). PostgreSQL down at start is
/// not refused: the worker waits for it, as it waits for every outage.
enum SchemaCheck {
    static func refuseMismatch(url: String, logger: Logger) throws {
        let connection: PostgresConnection
        do {
            connection = try LedgerStore.connect(url, connectTimeoutSeconds: 5)
        } catch {
            logger.warning(
                "cannot check the schema version now; the worker waits for PostgreSQL",
                metadata: ["error": "\(error)"])
            return
        }
        if let mismatch = try? Migrations.mismatch(on: connection) { throw CommandFailure.runtime(mismatch) }
    }
}
