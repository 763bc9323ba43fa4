import Foundation
import LiveGateLocal

/// A PostgreSQL server of a test's own (port and folder apart from the shared one), which the test may stop
/// and start to prove what happens when the database goes away. Started the one way every private server is:
/// `LocalPostgres`.
public struct PrivatePostgres: Sendable {
    private let server: LocalPostgres

    public var port: Int { server.port }
    public var url: String { server.url }

    /// Linux hands out local ports 32768–60999 for outgoing connections. A port there that is free while the
    /// server is down can be taken by one, even by a client's own retry connecting to itself (TCP self-connect),
    /// and the server then cannot start again (seen: "could not bind … Address already in use"). So a test
    /// server, which a test stops and starts, lives below that range.
    public static let ephemeralPorts = 32768...60999

    public static func start(port: Int) throws -> PrivatePostgres {
        precondition(!ephemeralPorts.contains(port), "a test server's port must be outside the ephemeral range")
        let server = PrivatePostgres(server: try LocalPostgres.fromEnvironment(port: port))
        try server.restart()
        return server
    }

    /// `mode` is pg_ctl's: `fast` (clean) or `immediate` (as a crash, with recovery at the next start).
    public func stop(_ mode: LocalPostgres.StopMode = .fast) throws { try server.stop(mode) }

    public func restart() throws { try server.start() }
}
