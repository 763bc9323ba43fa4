import Foundation
import LiveGateCore
import LiveGatePipeline
import LiveGateStore
import LiveGateTestSupport
import Postgres
import Testing

/// The exit statuses `livegate --help` promises, as a script sees them: 0 done, 1 a difference or a refusal,
/// 2 a runtime failure in one line without the usage text, 64 bad usage.
extension PipelineTests {
    @Suite("Exit codes")
    struct ExitCodeTests {
        /// Nothing listens on port 1 of loopback: a connection there is refused at once.
        static let refusedAddress = "127.0.0.1:1"
        /// The caller's settings must not change what these runs see.
        static let cleared = ["LIVEGATE_DATABASE_URL": "", "LIVEGATE_BROKERS": ""]

        func run(_ arguments: [String], _ environment: [String: String] = [:]) throws -> (
            status: Int32?, output: String
        ) {
            try WorkerProcess.run(arguments, environment: Self.cleared.merging(environment) { $1 })
        }

        /// The lines of `output` that are not librdkafka's own log lines (`%3|…`).
        func lines(_ output: String) -> [Substring] {
            output.split(separator: "\n").filter { !$0.hasPrefix("%") }
        }

        @Test("a usage mistake: 64 with the usage text")
        func usageMistake() throws {
            let outcome = try run(["status"])
            #expect(outcome.status == 64, "\(outcome.output)")
            #expect(outcome.output.contains("Usage: livegate status"), "\(outcome.output)")
        }

        @Test("an environment variable that does not parse: 64, one line naming it, no usage text")
        func unparsableVariable() throws {
            let outcome = try run(
                [
                    "run", "--brokers", Self.refusedAddress, "--database-url",
                    "postgresql://u@\(Self.refusedAddress)/x",
                ] + WorkerProcess.allowances,
                ["LIVEGATE_LANES": "three"])
            #expect(outcome.status == 64, "\(outcome.output)")
            #expect(
                lines(outcome.output) == ["Error: LIVEGATE_LANES must be a whole number from 1 to 64, not \"three\"."],
                "\(outcome.output)")
            let serve = try run(
                ["serve", "--database-url", "postgresql://u@\(Self.refusedAddress)/x"],
                ["LIVEGATE_MAX_CONNECTIONS": "lots"])
            #expect(serve.status == 64 && serve.output.contains("LIVEGATE_MAX_CONNECTIONS"), "\(serve.output)")
            #expect(!serve.output.contains("Usage:"), "\(serve.output)")
        }

        @Test("PostgreSQL refusing the connection: 2, one line saying where, the password never shown")
        func postgresRefused() throws {
            let outcome = try run([
                "status", "t-1", "--database-url", "postgresql://ops:hunter2@\(Self.refusedAddress)/x",
            ])
            #expect(outcome.status == 2, "\(outcome.output)")
            let said = "Error: cannot connect to PostgreSQL at \(Self.refusedAddress): connection refused"
            #expect(lines(outcome.output) == [Substring(said)], "\(outcome.output)")
            #expect(!outcome.output.contains("hunter2") && !outcome.output.contains("Usage:"), "\(outcome.output)")
            let reconcile = try run(
                ["reconcile"], ["LIVEGATE_DATABASE_URL": "postgresql://ops@\(Self.refusedAddress)/x"])
            #expect(reconcile.status == 2, "reconcile exits 2, not 1 (a difference): \(reconcile.output)")
        }

        @Test("Kafka unreachable: 2, one line naming the brokers, no usage text")
        func kafkaUnreachable() throws {
            // 15 s each (librdkafka's metadata timeout); lag and the other readers go the same way.
            for arguments in [["topics", "apply"], ["dead-letters", "list"]] {
                let outcome = try run(arguments + ["--brokers", Self.refusedAddress])
                #expect(outcome.status == 2, "\(arguments): \(outcome.output)")
                let said = lines(outcome.output)
                #expect(
                    said.count == 1 && said[0].hasPrefix("Error: cannot reach Kafka at \(Self.refusedAddress): "),
                    "\(arguments): \(outcome.output)")
            }
        }

        @Test("the same mistake, the same code: offsets reset and replay of a topic that is not an input are 64")
        func sameMistakeSameCode() throws {
            let database = try TestDatabase.create()
            try Migrations.apply(on: try PostgresConnection(url: database.url))
            let reset = try run([
                "offsets", "reset", "--topic", Topics.notification, "--to-earliest",
                "--brokers", Self.refusedAddress,
            ])
            #expect(reset.status == 64 && reset.output.contains("must be an input topic"), "\(reset.output)")
            let replay = try run(
                [
                    "replay", "--topic", Topics.notification, "--partition", "0", "--brokers",
                    Self.refusedAddress, "--database-url", database.url,
                ] + WorkerProcess.allowances)
            #expect(replay.status == 64 && replay.output.contains("is not an input topic"), "\(replay.output)")
            database.drop()
        }

        @Test("topics that differ from the contract: 1, a line per difference")
        func topicsDrift() throws {
            let h = try PipelineHarness(partitions: 1)  // the contract asks for 12
            let outcome = try run(["topics", "apply", "--brokers", h.broker.bootstrapServers])
            #expect(outcome.status == 1, "\(outcome.output)")
            #expect(outcome.output.contains("DIFFERS") && !outcome.output.contains("Error:"), "\(outcome.output)")
            h.database.drop()
        }

        @Test("a counter unlike the verdicts: reconcile exits 1")
        func reconcileDifference() throws {
            let database = try TestDatabase.create()
            let connection = try PostgresConnection(url: database.url)
            try Migrations.apply(on: connection)
            let clean = try run(["reconcile", "--database-url", database.url])
            #expect(clean.status == 0, "\(clean.output)")
            // Usage no verdict booked: the counter says $1 spent today.
            try connection.query("INSERT INTO tenants (tenant_id) VALUES ('t-1')")
            try connection.query(
                """
                INSERT INTO usage_windows (tenant_id, window_kind, window_start, used_micros, limit_micros)
                VALUES ('t-1', 'day', current_date, 1000000, 500000000)
                """)
            let outcome = try run(["reconcile", "--database-url", database.url])
            #expect(outcome.status == 1 && outcome.output.contains("DIFFERS"), "\(outcome.output)")
            database.drop()
        }
    }
}
