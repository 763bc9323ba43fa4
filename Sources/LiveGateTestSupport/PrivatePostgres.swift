import Foundation

/// A PostgreSQL server of a test's own (port and folder apart from the shared one), which the test may stop
/// and start to prove what happens when the database goes away. Managed by `deploy/postgres.sh`.
public struct PrivatePostgres: Sendable {
    public let port: Int

    public var url: String { "postgresql://postgres@127.0.0.1:\(port)/postgres" }

    public static func start(port: Int) throws -> PrivatePostgres {
        let server = PrivatePostgres(port: port)
        try server.script("start")
        return server
    }

    /// `mode` is pg_ctl's: `fast` (clean) or `immediate` (as a crash, with recovery at the next start).
    public func stop(_ mode: String = "fast") throws { try script("stop", mode) }

    public func restart() throws { try script("start") }

    private func script(_ arguments: String...) throws {
        let status = try Subprocess.run("/bin/bash", [Subprocess.deployScript("postgres.sh")] + arguments, environment: [
            "LIVEGATE_PG_PORT": String(port), "LIVEGATE_PG_DIR": "/tmp/livegate-pg-\(port)",
        ])
        guard status == 0 else { throw POSIXError(.EIO) }
    }
}
