import Foundation
import Kafka
import LiveGateCore
import LiveGatePipeline
import LiveGateTestSupport
import Testing

/// One record of `Tests/Corpus/bad-input.json`, ready to publish.
struct CorpusRecord {
    let name: String
    let topic: String
    let key: [UInt8]?
    let value: [UInt8]
    let expect: JSONValue

    static func load(now: String) throws -> [CorpusRecord] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Corpus/bad-input.json")
        let doc = try JSONParser.parse(Array(try Data(contentsOf: url)), depthLimit: 256)
        guard case let .array(records)? = doc["records"] else { return [] }
        return try records.map { r in
            let spec = try #require(r["value"])
            let value: [UInt8]
            if let text = spec["text"]?.stringValue {
                value = Array(text.utf8)
            } else if let b64 = spec["base64"]?.stringValue {
                value = Array(try #require(Data(base64Encoded: b64)))
            } else if case let .number(size)? = spec["generate"]?["padded_json"] {
                value = padded(Int(size)!, now: now)
            } else {
                value = Array(
                    JSONWriter.string(try #require(spec["json"])).replacingOccurrences(of: "$NOW", with: now).utf8)
            }
            return CorpusRecord(
                name: r["name"]?.stringValue ?? "?", topic: r["topic"]?.stringValue ?? "",
                key: r["key"]?.stringValue.map { Array($0.utf8) }, value: value, expect: try #require(r["expect"]))
        }
    }

    /// A valid test-environment attempt padded with spaces to exactly `size` bytes.
    static func padded(_ size: Int, now: String) -> [UInt8] {
        let body = Array(
            Fixtures.attempt("c-pad-\(size)", tenant: "corpus", amount: "1", at: now, environment: "test").utf8)
        return body + [UInt8](repeating: UInt8(ascii: " "), count: max(0, size - body.count))
    }
}

extension PipelineTests {
    @Suite("Bad-input corpus through the running pipeline")
    struct BadInputCorpusTests {
        @Test("every malformed record gets its expected dead letter or 400 verdict, and nothing stalls")
        func corpus() throws {
            let h = try PipelineHarness(partitions: 1)
            try h.migrate()
            let now = Fixtures.now()
            let corpus = try CorpusRecord.load(now: now)
            #expect(corpus.count >= 60)
            let worker = h.startWorker(batch: 20)
            let out = try OutputWatcher(
                brokers: h.broker.bootstrapServers,
                topics: [Topics.accessVerdict, Topics.transactionVerdict, Topics.deadLetter],
                settings: PipelineHarness.quickGroup.merging(KafkaSettings([("fetch.message.max.bytes", "16777216")])))
            // Large records need a producer that may send them (the broker here accepts them, as a topic
            // configured for larger messages, or compression, would).
            let producer = try KafkaProducer(
                brokers: h.broker.bootstrapServers, settings: KafkaSettings([("message.max.bytes", "16777216")]))
            var offsets: [String: Int64] = [:]
            var expectedAt: [(CorpusRecord, Int64)] = []
            // The embedded broker keeps about 5 MB per partition and drops the oldest records beyond that (so a
            // 10 MiB record would erase the partition under the worker): records up to 2 MB go through the
            // pipeline, the 1 MiB ones last and one at a time; larger ones are checked at the decoder and the
            // dead-letter builder below, which is all the worker does with them.
            let (huge, ordinary) = (
                corpus.filter { $0.value.count > 500_000 && $0.value.count < 2_000_000 },
                corpus.filter { $0.value.count <= 500_000 }
            )
            let beyondBroker = corpus.filter { $0.value.count >= 2_000_000 }
            for (n, phase) in [ordinary, huge].enumerated() {
                for record in phase {
                    try producer.send([ProducerRecord(topic: record.topic, key: record.key, value: record.value)])
                    expectedAt.append((record, offsets[record.topic, default: 0]))
                    offsets[record.topic, default: 0] += 1
                    // A good record after each phase: the partitions moved past every bad one.
                    if n == 1 { try awaitGood("c-after-\(offsets[record.topic]!)") }
                }
                try awaitGood("c-after-phase-\(n)")
            }
            func awaitGood(_ id: String) throws {
                try h.publish([Fixtures.attempt(id, tenant: "corpus", amount: "1", at: now, environment: "test")])
                offsets[Topics.transactionAttempt, default: 0] += 1
                try #require(try out.awaitAnswers([id], timeoutSeconds: 60), "\(id) unanswered")
            }
            let deadLettersExpected = corpus.filter { $0.expect["dead_letter"] != nil }.count
            try out.read(timeoutSeconds: 30) { _ in out.on(Topics.deadLetter).count >= deadLettersExpected }
            let letters = out.on(Topics.deadLetter)
            var wrong: [String] = []
            for (record, offset) in expectedAt {
                if let error = record.expect["dead_letter"]?.stringValue {
                    let match = letters.first {
                        $0["source"]?["topic"]?.stringValue == record.topic
                            && $0["source"]?["offset"] == .number(String(offset))
                    }
                    if match?["error"]?.stringValue != error {
                        wrong.append("\(record.name): \(match?["error"]?.stringValue ?? "no dead letter")")
                    }
                } else if let id = record.expect["event_id"]?.stringValue {
                    let verdict = out.verdict(id)
                    if verdict?["status"] != record.expect["status"] || verdict?["reason"] != record.expect["reason"] {
                        wrong.append("\(record.name): \(verdict.map(JSONWriter.string) ?? "no verdict")")
                    }
                }
            }
            for record in beyondBroker {
                let input = InputRecord(
                    topic: record.topic, key: record.key, value: record.value, timestamp: nil,
                    timestampSource: .broker)
                guard case let .deadLetter(reason) = InputDecoder.decode(input),
                    reason.error.rawValue == record.expect["dead_letter"]?.stringValue,
                    DeadLetter.record(for: input, reason: reason).value.count < 2 << 20
                else { wrong.append("\(record.name): not dead-lettered as expected"); continue }
            }
            print(
                "bad-input corpus: \(corpus.count) records (\(expectedAt.count) through the pipeline, "
                    + "\(beyondBroker.count) too large for the embedded broker through the decoder), "
                    + "\(deadLettersExpected) dead letters, \(corpus.count - deadLettersExpected) 400 verdicts, \(wrong.count) wrong"
            )
            #expect(wrong.isEmpty, "\(wrong)")
            try worker.stop()
            h.database.drop()
        }
    }
}
