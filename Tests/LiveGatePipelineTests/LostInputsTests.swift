import Foundation
import Kafka
import LiveGateCore
import LiveGatePipeline
import LiveGateTestSupport
import Testing

extension PipelineTests {
    @Suite("Inputs lost to retention are not silent")
    struct LostInputsTests {
        /// The embedded broker keeps about 5 MB per partition and drops the oldest records, read or not: retention
        /// in miniature. A group that stopped at offset 3 finds its position gone after 7 MB more.
        @Test("a position behind the partition's start is logged with topic, partition and the range lost")
        func retention() throws {
            let h = try PipelineHarness(partitions: 1)
            try h.migrate()
            let out = try h.reader([Topics.transactionVerdict])
            let now = Fixtures.now()
            // One lane: with several, a lane joining late can rebalance the group while the first batch commits,
            // the commit is refused, and the group never holds offset 3 (then nothing is lost to report).
            let first = try WorkerProcess(h, group: "retention", name: "retention-1", arguments: ["--lanes", "1"])
            try h.publish(
                (0..<3).map { Fixtures.attempt("r-\($0)", tenant: "t", amount: "1", at: now, environment: "test") })
            try #require(try out.awaitAnswers((0..<3).map { "r-\($0)" }, timeoutSeconds: 60))
            first.signal(SIGTERM)
            try #require(first.waitForExit(seconds: 30) == 0)
            let lag = OffsetsCommandTests()
            try #require(
                lag.attempts(try lag.lag(h, group: "retention"))?["committed"] == .number("3"),
                "the group did not stop at 3")

            let filler = [UInt8](repeating: UInt8(ascii: "x"), count: 10_000)
            for _ in 0..<7 {
                try h.publish(Topics.transactionAttempt, key: "t", values: Array(repeating: filler, count: 100))
            }
            let tp = TopicPartition(topic: Topics.transactionAttempt, partition: 0)
            let probe = try KafkaConsumer(brokers: h.broker.bootstrapServers, reading: [tp: 0])
            let marks = try probe.watermarks(tp)
            try #require(marks.low > 3, "the broker kept everything (low \(marks.low)): no retention to test")

            let second = try WorkerProcess(h, group: "retention", name: "retention-2")
            try h.publish([Fixtures.attempt("r-after", tenant: "t", amount: "1", at: now, environment: "test")])
            #expect(try out.awaitAnswers(["r-after"], timeoutSeconds: 120), "the worker goes on after the loss")
            let line = second.log.split(separator: "\n").first { $0.contains("inputs lost to retention") }.map(
                String.init)
            #expect(line?.contains("critical") == true, "\(second.log.suffix(2000))")
            for part in [
                "topic=\(Topics.transactionAttempt)", "partition=0", "first_lost_offset=3",
                "last_lost_offset=\(marks.low - 1)", "lost_records=\(marks.low - 3)",
            ] {
                #expect(line?.contains(part) == true, "\(part) in \(line ?? "no line")")
            }
            second.signal(SIGTERM)
            #expect(second.waitForExit(seconds: 30) == 0)
            h.database.drop()
        }
    }
}
