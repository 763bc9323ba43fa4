import Foundation
import LiveGateCore
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
        let worker = try WorkerProcess(h, group: "secrets", name: "secrets", kafka: ["sasl.password=\(kafkaSecret)"],
                                       databaseURL: url)
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
        for text in [worker.log, failing.log] + out.records.map({ String(decoding: $0.value ?? [], as: UTF8.self) }) {
            #expect(!text.contains(dbSecret) && !text.contains(kafkaSecret))
        }
        h.database.drop()
    }
}
}
