import Foundation
import LiveGateLocal

/// A PostgreSQL server of a test's own (port and folder apart from the shared one), which the test may stop
/// and start to prove what happens when the database goes away. Started the one way every private server is:
/// `LocalPostgres`.
public struct PrivatePostgres: Sendable {
    private let server: LocalPostgres

    public var port: Int { server.port }
    public var url: String { server.url }

    public static func start(port: Int) throws -> PrivatePostgres {
        let server = PrivatePostgres(server: try LocalPostgres.fromEnvironment(port: port))
        try server.restart()
        return server
    }

    /// `mode` is pg_ctl's: `fast` (clean) or `immediate` (as a crash, with recovery at the next start).
    public func stop(_ mode: LocalPostgres.StopMode = .fast) throws { try server.stop(mode) }

    public func restart() throws { try server.start() }
}
