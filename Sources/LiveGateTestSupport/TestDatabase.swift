import Foundation
import LiveGateLocal
import Postgres

/// A private schema in a real PostgreSQL server for one test. The server is the one named by
/// `LIVEGATE_DATABASE_URL`, or else the private one of `LocalPostgres` (`deploy/postgres.sh`), started on demand.
public struct TestDatabase: Sendable {
    /// A URL whose connections use only this test's schema.
    public let url: String
    public let schema: String
    /// The server's own URL (without the schema option).
    public let server: String

    /// A schema on `server`, or on the shared test server when nil.
    public static func create(server given: String? = nil) throws -> TestDatabase {
        let server = try given ?? serverURL()
        let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let admin = try PostgresConnection(url: server)
        try admin.query("CREATE SCHEMA " + SQL.identifier(schema))
        let separator = server.contains("?") ? "&" : "?"
        return TestDatabase(
            url: server + separator + "options=-csearch_path%3D\(schema)", schema: schema, server: server)
    }

    /// Drops the schema. Tests call it when they pass; a failed test leaves its schema for inspection.
    public func drop() {
        guard let admin = try? PostgresConnection(url: server) else { return }
        _ = try? admin.query("DROP SCHEMA " + SQL.identifier(schema) + " CASCADE")
    }

    private static let startLock = NSLock()
    nonisolated(unsafe) private static var startedURL: String?

    static func serverURL() throws -> String {
        if let url = ProcessInfo.processInfo.environment["LIVEGATE_DATABASE_URL"], !url.isEmpty { return url }
        startLock.lock()
        defer { startLock.unlock() }
        if let startedURL { return startedURL }
        let url = try LocalPostgres.fromEnvironment().start()
        startedURL = url
        return url
    }
}
