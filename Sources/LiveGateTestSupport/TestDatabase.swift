import Foundation
import Postgres

/// A private schema in a real PostgreSQL server for one test. The server is the one named by
/// `LIVEGATE_DATABASE_URL`, or else the local one that `deploy/postgres.sh start` runs (started on demand).
public struct TestDatabase: Sendable {
    /// A URL whose connections use only this test's schema.
    public let url: String
    public let schema: String

    public static func create() throws -> TestDatabase {
        let server = try serverURL()
        let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let admin = try PostgresConnection(url: server)
        try admin.query("CREATE SCHEMA \(schema)")  // generated name, not input
        let separator = server.contains("?") ? "&" : "?"
        return TestDatabase(url: server + separator + "options=-csearch_path%3D\(schema)", schema: schema)
    }

    /// Drops the schema. Tests call it when they pass; a failed test leaves its schema for inspection.
    public func drop() {
        guard let admin = try? PostgresConnection(url: try TestDatabase.serverURL()) else { return }
        _ = try? admin.query("DROP SCHEMA \(schema) CASCADE")
    }

    private static let startLock = NSLock()
    nonisolated(unsafe) private static var startedURL: String?

    static func serverURL() throws -> String {
        if let url = ProcessInfo.processInfo.environment["LIVEGATE_DATABASE_URL"], !url.isEmpty { return url }
        startLock.lock()
        defer { startLock.unlock() }
        if let startedURL { return startedURL }
        let script = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("deploy/postgres.sh")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script.path, "start"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard process.terminationStatus == 0, let url = output.split(separator: "\n").last.map(String.init) else {
            throw PostgresError(kind: .connection, message: "deploy/postgres.sh start failed")
        }
        startedURL = url
        return url
    }
}
