import Foundation
import LiveGateCore
import LiveGateLocal
import LiveGateStore
import LiveGateTestSupport
import Postgres
import Testing

extension PipelineTests {
    /// What a command refuses before it applies anything: a schema it was not built for, one key in both roles, a
    /// retention shorter than the release window.
    @Suite("Refused at start: the wrong schema, shared keys, a prune that would outrun the release window")
    struct StartupGuardTests {
        func livegate(_ arguments: [String]) throws -> (status: Int32?, output: String) {
            try TrustOptionsTests().livegate(arguments)
        }

        @Test("run refuses a schema older or newer than its own, naming the version and what to do")
        func schemaVersion() throws {
            let database = try TestDatabase.create()
            let connection = try PostgresConnection(url: database.url)
            try Migrations.apply(on: connection, through: 8)
            let run = ["run", "--brokers", "127.0.0.1:1", "--database-url", database.url] + WorkerProcess.allowances
            let older = try livegate(run)
            let known = Migrations.all.count
            #expect(
                older.status == 2
                    && older.output.contains(
                        "schema is at version 8, this LiveGate needs \(known): run livegate migrate"),
                "\(older.output)")
            try Migrations.apply(on: connection)
            try connection.query(
                "INSERT INTO livegate_schema_migrations (version, name) VALUES (999, 'from the future')")
            let newer = try livegate(run)
            #expect(
                newer.status == 2
                    && newer.output.contains("schema is at version 999, newer than this LiveGate knows (\(known))"),
                "\(newer.output)")
            database.drop()
        }

        @Test("one public key in the decision and the resolution key sets is refused")
        func sharedKey() throws {
            let key = DecisionSigningKey(kid: "both")
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("keys-\(UUID().uuidString).json")
                .path
            defer { unlink(path) }
            FileManager.default.createFile(
                atPath: path, contents: Data(JSONWriter.bytes(DecisionSigningKey.keySetJSON([key]))))
            let outcome = try livegate(
                ["run"] + TrustOptionsTests.nowhere + ["--decision-keys", path, "--resolution-keys", path])
            #expect(outcome.status == 64 && outcome.output.contains("share a public key"), "\(outcome.output)")
        }

        @Test("prune keeps attempts longer than the release window, or refuses")
        func pruneOutlivesWindow() throws {
            let prune = ["prune", "--database-url", "postgresql://x@127.0.0.1:1/x", "--dry-run"]
            let refused = try livegate(prune + ["--keep-days", "8", "--release-window-days", "8"])
            #expect(
                refused.status == 64 && refused.output.contains("must exceed the release window (8 days)"),
                "\(refused.output)")
            let allowed = try livegate(prune + ["--keep-days", "9", "--release-window-days", "8"])
            #expect(allowed.status != 64, "past validation, it goes on to connect: \(allowed.output)")
        }
    }
}
