import Foundation
import LiveGateCore
import LiveGateLocal
import LiveGatePipeline
import LiveGateTestSupport
import Testing

extension PipelineTests {
    @Suite("Secrets stay out of logs and dead letters")
    struct SecretsTests {
        @Test("a database password and a Kafka password appear in no log line and no dead letter")
        func noSecrets() throws {
            let h = try PipelineHarness(partitions: 1)
            try h.migrate()
            let dbSecret = "pg-Secret-7f3a"
            let kafkaSecret = "kafka-Secret-91c2"
            // The test server trusts local connections, so the password is accepted and ignored.
            let url = h.database.url.replacingOccurrences(of: "postgres@", with: "postgres:\(dbSecret)@")
            // At debug level, librdkafka's configuration dump included (it prints secret properties as [redacted]).
            let worker = try WorkerProcess(
                h, group: "secrets", name: "secrets", kafka: ["sasl.password=\(kafkaSecret)", "debug=conf"],
                databaseURL: url, environment: ["LIVEGATE_LOG_LEVEL": "debug"])
            let out = try h.reader()
            let now = Fixtures.now()
            try h.publish(Topics.transactionAttempt, key: "t", values: [Array("not json".utf8)])
            try h.publish([Fixtures.attempt("s-1", tenant: "t", amount: "1", at: now, environment: "test")])
            try #require(try out.awaitAnswers(["s-1"]))
            #expect(try out.read(timeoutSeconds: 20) { _ in !out.on(Topics.deadLetter).isEmpty })
            worker.signal(SIGTERM)
            #expect(worker.waitForExit(seconds: 30) == 0)
            // And a worker that cannot reach its database at all logs the failure, not the URL's password.
            let unreachable = "postgresql://postgres:\(dbSecret)@127.0.0.1:1/postgres"
            let failing = try WorkerProcess(h, group: "secrets-2", name: "secrets-2", databaseURL: unreachable)
            // Waits for the event itself: the failure logged (the retry loop logs each attempt).
            let deadline = Date().addingTimeInterval(30)
            while !failing.log.contains("PostgreSQL unavailable"), Date() < deadline { usleep(100_000) }
            failing.signal(SIGTERM)
            _ = failing.waitForExit(seconds: 30)
            #expect(failing.log.contains("PostgreSQL unavailable"))
            #expect(worker.log.contains("sasl.password"), "the debug log never showed the configuration")
            for text in [worker.log, failing.log] + out.records.map({ String(decoding: $0.value ?? [], as: UTF8.self) })
            {
                #expect(!text.contains(dbSecret) && !text.contains(kafkaSecret))
            }
            h.database.drop()
        }

        /// Database URLs whose password libpq would misread or quote: a `%` that starts no escape, a `/`, a `[`,
        /// an `@`; a correct one; and the keyword form, quoted and unquoted.
        static let urls = [
            "postgresql://lg:Sup3r%Secret@127.0.0.1:1/x", "postgresql://lg:Sup3r/Secret@127.0.0.1:1/x",
            "postgresql://lg:Sup3r[Secret@127.0.0.1:1/x", "postgresql://lg:Sup3r@Secret@127.0.0.1:1/x",
            "postgresql://lg:Sup3r%25Secret@127.0.0.1:1/x",
            "host=127.0.0.1 port=1 user=lg password='Sup3r Secret' dbname=x",
            "host=127.0.0.1 port=1 user=lg password=Sup3r Secret dbname=x",
        ]
        static let kafkaSecret = "Kafk4-Pa55"

        @Test("no command prints a password, whatever the URL's form, even at debug level", arguments: urls)
        func everyCommand(url: String) throws {
            let kafka = ["--kafka-config", "sasl.password=\(Self.kafkaSecret)"]
            let commands: [[String]] = [
                ["migrate", "--database-url", url], ["status", "t-1", "--database-url", url],
                ["reconcile", "--database-url", url], ["bench", "--database-url", url],
                [
                    "replay", "--topic", Topics.transactionAttempt, "--partition", "0", "--brokers", "127.0.0.1:1",
                    "--database-url", url,
                ]
                    + kafka + WorkerProcess.allowances,
                ["dev", "--brokers", "127.0.0.1:1", "--database-url", url],
            ]
            var outputs: [String] = []
            for command in commands {
                outputs.append(try Subprocess.run(WorkerProcess.executable, command, timeoutSeconds: 60).output)
            }
            // A worker retries; its log at debug level, librdkafka's debug output included, until it has said so.
            let log = FileManager.default.temporaryDirectory.appendingPathComponent(
                "livegate-secrets-\(UUID().uuidString).log"
            ).path
            defer { unlink(log) }
            let pid = try Subprocess.spawn(
                WorkerProcess.executable,
                [
                    "run", "--brokers", "127.0.0.1:1", "--database-url", url,
                    "--log-level", "debug", "--kafka-config", "debug=conf,security",
                ]
                    + kafka + WorkerProcess.allowances,
                output: log)
            let deadline = Date().addingTimeInterval(30)
            func text() -> String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
            while !text().contains("PostgreSQL unavailable"), !text().contains("Error:"), Date() < deadline {
                usleep(100_000)
            }
            kill(pid, SIGTERM)
            if Subprocess.wait(pid, seconds: 30) == nil { kill(pid, SIGKILL); _ = Subprocess.wait(pid, seconds: 10) }
            outputs.append(text())
            for (command, output) in zip(commands.map { $0[0] } + ["run"], outputs) {
                #expect(!output.isEmpty, "\(command) printed nothing, so this test would prove nothing")
                for secret in ["Sup3r", "Secret", Self.kafkaSecret] {
                    #expect(!output.contains(secret), "\(command) printed \(secret):\n\(output.prefix(2000))")
                }
            }
        }
    }
}
