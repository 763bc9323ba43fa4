import Foundation
import LiveGateLocal
import Testing

/// The private PostgreSQL from the states a newcomer's machine can be in. Each test has its own port and folder.
@Suite("The private PostgreSQL")
struct LocalPostgresTests {
    private static func fresh(port: Int) throws -> (LocalPostgres, cleanup: () -> Void) {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent(
            "livegate-local-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(
            atPath: parent, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o755])  // `postgres` must reach its folder
        let server = LocalPostgres(
            port: port, directory: parent + "/pg", binDirectory: try LocalPostgres.fromEnvironment().binDirectory)
        return (
            server,
            {
                try? server.stop(.immediate)
                try? FileManager.default.removeItem(atPath: parent)
            }
        )
    }

    @Test("from nothing, stopped, and running, start ends with a running server and its URL")
    func lifecycle() throws {
        let (server, cleanup) = try Self.fresh(port: 25451)
        defer { cleanup() }
        #expect(try server.status() == .notInitialised)
        #expect(try server.start() == "postgresql://postgres@127.0.0.1:25451/postgres")
        #expect(try server.status() == .running)
        #expect(try server.start() == server.url)  // already running: nothing to do
        try server.stop()
        #expect(try server.status() == .stopped)
        try server.start()
        #expect(try server.status() == .running)
        // Every start passes the settings (durable commits, room for WAL), whatever the folder's own file says.
        let options = try String(contentsOfFile: server.directory + "/postmaster.opts", encoding: .utf8)
        #expect(options.contains("fsync=on") && options.contains("max_wal_size=4GB") && options.contains("port=25451"))
    }

    @Test("a folder given with a trailing slash or relatively is the same folder, and its lock lies beside it")
    func normalisedFolder() throws {
        let bin = try LocalPostgres.fromEnvironment().binDirectory
        #expect(LocalPostgres(port: 1, directory: "/tmp/x/pg/", binDirectory: bin).directory == "/tmp/x/pg")
        #expect(LocalPostgres(port: 1, directory: "/tmp/x/./pg", binDirectory: bin).directory == "/tmp/x/pg")
        #expect(LocalPostgres(port: 1, directory: "rel/pg", binDirectory: bin).directory.hasPrefix("/"))
    }

    @Test("a server that cannot start says why, with the server log's last lines, and does not wait")
    func failureExplains() throws {
        let (first, cleanupFirst) = try Self.fresh(port: 25452)
        defer { cleanupFirst() }
        try first.start()
        // A second folder on the same port: its server cannot bind.
        let (second, cleanupSecond) = try Self.fresh(port: 25452)
        defer { cleanupSecond() }
        let started = Date()
        let error = try #require(throws: LocalPostgres.Failure.self) { try second.start() }
        #expect(Date().timeIntervalSince(started) < 60)
        #expect(error.description.contains("did not start on port 25452"))
        #expect(error.description.contains("server log"))
        #expect(error.description.contains("Address already in use"))
    }
}
