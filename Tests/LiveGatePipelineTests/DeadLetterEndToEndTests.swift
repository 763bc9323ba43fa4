import Foundation
import Kafka
import LiveGateCore
import LiveGateTestSupport
import Testing

extension PipelineTests {
    @Suite("Bad input through Kafka")
    struct DeadLetterEndToEndTests {
        @Test("every kind of dead letter keeps its origin, and the partition keeps moving")
        func deadLetters() throws {
            let h = try PipelineHarness(partitions: 1)  // one partition: every record below shares it
            try h.migrate()
            let worker = h.startWorker()
            let out = try h.reader()
            let now = Fixtures.now()
            let good = Fixtures.attempt("x-before", tenant: "t-9", amount: "1", at: now, environment: "test")
            try h.publish([good])
            try out.awaitAnswers(["x-before"])
            let original = try #require(out.verdict("x-before"))

            let attemptTopic = Topics.transactionAttempt
            let bad: [(String, [UInt8])] = [
                ("not json", Array("this is not json".utf8)),
                ("invalid utf8", [0x7B, 0xFF, 0xFE, 0x7D]),
                ("key mismatch", Array(Fixtures.attempt("x-km", tenant: "someone-else", amount: "1", at: now).utf8)),
                ("wrong topic", Array(Fixtures.declaration("d-wrong", tenant: "t-9").utf8)),
                ("no event id", Array(#"{"type":"transaction.attempted","tenant_id":"t-9"}"#.utf8)),
                (
                    "conflict",
                    Array(Fixtures.attempt("x-before", tenant: "t-9", amount: "2", at: now, environment: "test").utf8)
                ),
            ]
            try h.publish(attemptTopic, key: "t-9", values: bad.map(\.1))
            try h.publish([Fixtures.attempt("x-after", tenant: "t-9", amount: "1", at: now, environment: "test")])
            try out.awaitAnswers(["x-after"])
            #expect(try out.read(timeoutSeconds: 30) { _ in out.on(Topics.deadLetter).count >= bad.count })
            let letters = out.on(Topics.deadLetter)
            try #require(letters.count == bad.count)
            #expect(
                letters.compactMap { $0["error"]?.stringValue } == [
                    "invalid_json", "invalid_json", "key_mismatch", "type_not_on_topic", "invalid_event_id",
                    "idempotency_conflict",
                ])
            #expect(letters.allSatisfy { $0["source"]?["topic"]?.stringValue == attemptTopic })
            let offsets = letters.compactMap { $0["source"]?["offset"] }
            #expect(offsets == (1...6).map { .number(String($0)) })
            #expect(
                letters[0]["value"]?.stringValue == "this is not json"
                    && letters[0]["value_encoding"]?.stringValue == "utf8")
            #expect(
                letters[1]["value"]?.stringValue == "e//+fQ==" && letters[1]["value_encoding"]?.stringValue == "base64")
            #expect(letters.allSatisfy { $0["key"]?.stringValue == "t-9" })
            #expect(out.records.filter { $0.topic == Topics.deadLetter }.allSatisfy { $0.key == Array("t-9".utf8) })
            // The conflicting copy changed nothing: the original verdict stands. (A rebalance between the two lanes
            // may make the new owner read x-before again and publish its stored verdict again: the same one.)
            #expect(out.verdicts("x-before").allSatisfy { $0 == original }, "\(out.verdicts("x-before"))")
            #expect(out.verdict("x-after")?["outcome"]?.stringValue == "allowed")
            try worker.stop()
            h.database.drop()
        }

        @Test("floods of NUL and control characters are dead-lettered within 1 MiB and the partition moves on")
        func floods() throws {
            let h = try PipelineHarness(partitions: 1)
            try h.migrate()
            let worker = h.startWorker()
            let out = try h.reader()
            let now = Fixtures.now()
            let floods: [[UInt8]] = [[UInt8](repeating: 0, count: 800_000), (0..<900_000).map { UInt8(1 + $0 % 31) }]
            try h.publish(Topics.transactionAttempt, key: "t-9", values: floods)
            try h.publish([Fixtures.attempt("x-after-flood", tenant: "t-9", amount: "1", at: now, environment: "test")])
            #expect(try out.awaitAnswers(["x-after-flood"], timeoutSeconds: 60))
            #expect(try out.read(timeoutSeconds: 30) { _ in out.on(Topics.deadLetter).count >= floods.count })
            let records = out.records.filter { $0.topic == Topics.deadLetter }
            try #require(records.count == floods.count)
            for (record, flood) in zip(records, floods) {
                #expect((record.value?.count ?? 0) + (record.key?.count ?? 0) <= DeadLetter.maxRecordBytes)
                let json = try JSONParser.parse(try #require(record.value))
                #expect(json["error"] == .string("invalid_json"))
                #expect(json["value_truncated"] == .bool(true))
                #expect(json["value_bytes"] == .number(String(flood.count)))
                #expect(json["value_sha256"] == .string(SHA256Hex.of(flood)))
            }
            #expect(out.verdict("x-after-flood")?["outcome"]?.stringValue == "allowed")
            try worker.stop()
            h.database.drop()
        }

        @Test("a worker that trusts only broker time dead-letters producer-stamped records, naming them, and moves on")
        func producerTime() throws {
            let h = try PipelineHarness(partitions: 1)
            try h.migrate()
            let worker = h.startWorker(rules: .standard)  // the embedded broker keeps producer timestamps (CreateTime)
            let out = try h.reader()
            let now = Fixtures.now()
            try h.publish([
                Fixtures.declaration("d-pt", tenant: "t-pt"),
                Fixtures.attempt("x-pt", tenant: "t-pt", amount: "1", at: now, environment: "test"),
            ])
            #expect(try out.read(timeoutSeconds: 60) { _ in out.on(Topics.deadLetter).count >= 2 })
            // Two topics: no order between them.
            let letters = out.on(Topics.deadLetter).sorted {
                ($0["event_id"]?.stringValue ?? "") < ($1["event_id"]?.stringValue ?? "")
            }
            #expect(letters.map { $0["error"]?.stringValue } == ["producer_timestamp", "producer_timestamp"])
            #expect(letters.map { $0["event_id"]?.stringValue } == ["d-pt", "x-pt"])
            #expect(letters.allSatisfy { $0["tenant_id"]?.stringValue == "t-pt" })
            // The declaration's dead letter keeps no personal data.
            #expect(
                letters[0]["value_redacted"] == .bool(true)
                    && letters[0]["value"]?.stringValue?.contains("owner@example.com") == false)
            #expect(out.on(Topics.transactionVerdict).isEmpty && out.on(Topics.accessVerdict).isEmpty)
            try worker.stop()
            h.database.drop()
        }
    }
}
