import Foundation
import Kafka
import LiveGateCore
import LiveGatePipeline
import LiveGateStore
import LiveGateTestSupport
import Postgres
import Testing

extension PipelineTests {
    @Suite("livegate status republish")
    struct StatusRepublishCommandTests {
        @Test("puts the stored status back on the status topic, as a worker publishes it; an unknown tenant is refused")
        func republish() throws {
            let h = try PipelineHarness(partitions: 1)
            try h.migrate()
            let connection = try PostgresConnection(url: h.database.url)
            try connection.query(
                """
                INSERT INTO tenants (tenant_id, state, version, per_tx_micros, daily_micros, monthly_micros)
                VALUES ('t-1', 'production_approved', 3, 250000000, 500000000, 2000000000),
                       ('t-2', 'declaration_pending', 1, NULL, NULL, NULL), ('t-3', 'sandbox_only', 0, NULL, NULL, NULL)
                """)
            let out = try h.reader([Topics.tenantStatus])
            let base = [
                "status", "republish", "--brokers", h.broker.bootstrapServers, "--database-url", h.database.url,
            ]

            let one = try WorkerProcess.run(base + ["--tenant", "t-1"])
            #expect(one.status == 0 && one.output.contains("republished the status of 1 tenant"), "\(one.output)")
            try #require(try out.read(timeoutSeconds: 20) { $0.count >= 1 })
            let stored = try LedgerStore(url: h.database.url).currentTenants(["t-1", "t-2", "t-3"])
            let expected = try #require(stored[ByteID("t-1")].map { TenantStatus.record($0, rules: .standard) })
            #expect(out.records.map(\.value) == [expected.value], "the bytes a worker publishes after a change")
            #expect(out.records.first?.key == Array("t-1".utf8))

            let unknown = try WorkerProcess.run(base + ["--tenant", "t-1", "--tenant", "never-seen"])
            #expect(unknown.status == 1 && unknown.output.contains("no stored tenant never-seen"), "\(unknown.output)")
            let neither = try WorkerProcess.run(base)
            #expect(neither.status == 64, "\(neither.output)")

            let all = try WorkerProcess.run(base + ["--all"])
            #expect(all.status == 0 && all.output.contains("republished the status of 3 tenants"), "\(all.output)")
            try #require(try out.read(timeoutSeconds: 20) { $0.count >= 4 })
            try out.read(timeoutSeconds: 1) { _ in false }
            #expect(out.records.count == 4, "nothing was published for the refused run")
            let keys = out.records.dropFirst().compactMap { $0.key.map { String(decoding: $0, as: UTF8.self) } }
            #expect(keys == ["t-1", "t-2", "t-3"])
            h.database.drop()
        }
    }

    @Suite("livegate dead-letters list")
    struct DeadLettersCommandTests {
        /// Dead letters as a worker writes them (`DeadLetter.record`), published straight to the topic.
        func publishDeadLetters(_ h: PipelineHarness) throws {
            func input(_ offset: Int64, _ topic: String, _ value: String) -> InputRecord {
                InputRecord(
                    topic: topic, offset: offset, key: Array("t-9".utf8), value: Array(value.utf8),
                    timestamp: UTCInstant(millis: 1_796_000_000_000), timestampSource: .broker)
            }
            let letters = [
                DeadLetter.record(
                    for: input(7, Topics.transactionAttempt, "{not json"),
                    reason: DeadLetterReason(.invalidJSON, "not JSON")),
                DeadLetter.record(
                    for: input(8, Topics.transactionAttempt, "[1]"),
                    reason: DeadLetterReason(.notAnObject, "not an object")),
                DeadLetter.record(
                    for: input(2, Topics.decision, "{}"),
                    reason: DeadLetterReason(.invalidJSON, "not JSON", eventId: "d-1", tenantId: "t-9")),
            ]
            let producer = try KafkaProducer(brokers: h.broker.bootstrapServers)
            try producer.send(letters.map { ProducerRecord(topic: $0.topic, key: $0.keyBytes, value: $0.value) })
        }

        @Test("lists each dead letter with its origin and a count by error; filters; one JSON object a line")
        func list() throws {
            let h = try PipelineHarness(partitions: 1)
            try publishDeadLetters(h)
            let base = ["dead-letters", "list", "--brokers", h.broker.bootstrapServers]

            let text = try WorkerProcess.run(base)
            #expect(text.status == 0, "\(text.output)")
            let first = "invalid_json  \(Topics.transactionAttempt)/0@7  event -  tenant -  key 3 B  value 9 B"
            #expect(text.output.contains(first), "\(text.output)")
            #expect(
                text.output.contains("invalid_json  \(Topics.decision)/0@2  event d-1  tenant t-9"), "\(text.output)")
            #expect(text.output.contains("3 dead letters: invalid_json 2, not_an_object 1"), "\(text.output)")
            #expect(!text.output.contains("{not json"), "values are never printed")

            let json = try WorkerProcess.run(base + ["--json", "--error", "invalid_json", "--topic", Topics.decision])
            let objects = json.output.split(separator: "\n").compactMap { try? JSONParser.parse(Array($0.utf8)) }
            #expect(objects.count == 1 && objects.first?["event_id"]?.stringValue == "d-1", "\(json.output)")
            #expect(objects.first?["source"]?["offset"] == .number("2"))
            #expect(json.output.contains("1 dead letter: invalid_json 1"), "the count, on stderr: \(json.output)")

            let capped = try WorkerProcess.run(base + ["--max", "1"])
            #expect(
                capped.output.contains("3 dead letters: invalid_json 2, not_an_object 1 (2 not listed: raise --max)"),
                "\(capped.output)")
            let future = try WorkerProcess.run(base + ["--since", "2999-01-01T00:00:00Z"])
            #expect(future.status == 0 && future.output.contains("0 dead letters"), "\(future.output)")
            let wrong = try WorkerProcess.run(base + ["--error", "nonsense"])
            #expect(wrong.status == 64 && wrong.output.contains("Usage:"), "\(wrong.output)")
            h.database.drop()
        }
    }
}
