import Foundation
import LiveGateCore
import LiveGateLocal
import LiveGatePipeline
import LiveGateTestSupport
import Testing

extension PipelineTests {
    @Suite("livegate lag")
    struct OffsetsCommandTests {
        func lag(_ h: PipelineHarness, group: String = "ops") throws -> JSONValue {
            let run = try WorkerProcess.run(["lag", "--group", group, "--json", "--brokers", h.broker.bootstrapServers])
            return try JSONParser.parse(Array(run.output.utf8))
        }

        func attempts(_ lag: JSONValue) -> JSONValue? {
            guard case let .array(rows)? = lag["partitions"] else { return nil }
            return rows.first { $0["topic"]?.stringValue == Topics.transactionAttempt }
        }

        @Test("committed offset, end and lag per partition, as JSON and as a table")
        func lagPerPartition() throws {
            let h = try PipelineHarness(partitions: 1)
            try h.migrate()
            let now = Fixtures.now()
            let out = try h.reader([Topics.transactionVerdict])
            // One lane: with two, a lane joining late can move the partition while a batch commits; the new owner
            // reads the batch again (answered from the store) and commits only then.
            let worker = h.startWorker(group: "ops", lanes: 1)
            let first = (0..<10).map { "o-\($0)" }
            try h.publish(first.map { Fixtures.attempt($0, tenant: "t", amount: "1", at: now, environment: "test") })
            try #require(try out.awaitAnswers(first))
            try worker.stop()
            var row = try #require(attempts(try lag(h)))
            #expect(
                row["committed"] == .number("10") && row["end"] == .number("10") && row["lag"] == .number("0"), "\(row)"
            )

            try h.publish(
                (10..<15).map { Fixtures.attempt("o-\($0)", tenant: "t", amount: "1", at: now, environment: "test") })
            row = try #require(attempts(try lag(h)))
            #expect(row["lag"] == .number("5"))
            let text = try WorkerProcess.run(["lag", "--group", "ops", "--brokers", h.broker.bootstrapServers])
            #expect(text.status == 0 && text.output.contains("total lag 5"), "\(text.output)")

            h.database.drop()
        }

        @Test("a commit the group refused is made once it settles, without new input, and nothing is read twice")
        func refusedCommitRetried() throws {
            let h = try PipelineHarness(partitions: 1)
            try h.migrate()
            let now = Fixtures.now()
            let out = try h.reader([Topics.transactionVerdict])
            let worker = h.startWorker(group: "ops", lanes: 1)
            let first = (0..<3).map { "r-\($0)" }
            try h.publish(first.map { Fixtures.attempt($0, tenant: "t", amount: "1", at: now, environment: "test") })
            try #require(try out.awaitAnswers(first))
            // OffsetCommit (API 8) refused twice with REBALANCE_IN_PROGRESS (27), as while the group re-forms.
            h.broker.failNextRequests(apiKey: 8, errors: [27, 27])
            let second = (3..<8).map { "r-\($0)" }
            try h.publish(second.map { Fixtures.attempt($0, tenant: "t", amount: "1", at: now, environment: "test") })
            try #require(try out.awaitAnswers(second))
            let caughtUp = try eventually(20) { try attempts(try lag(h))?["committed"] == .number("8") }
            let row = try attempts(try lag(h))
            #expect(caughtUp, "\(String(describing: row))")
            try worker.stop()
            try out.read(timeoutSeconds: 2) { _ in false }
            let repeated = (first + second).filter { (out.answers[ByteID($0)]?.count ?? 0) != 1 }
            #expect(repeated.isEmpty, "answered more than once: \(repeated)")
            h.database.drop()
        }
    }
}

extension PipelineTests {
    @Suite("livegate offsets reset")
    struct OffsetsResetCommandTests {
        func reset(_ h: PipelineHarness, _ arguments: [String]) throws -> (status: Int32?, output: String) {
            let run = try WorkerProcess.run(
                [
                    "offsets", "reset", "--group", "ops", "--topic", Topics.transactionAttempt,
                    "--brokers", h.broker.bootstrapServers, "--database-url", h.database.url,
                    // the workers' own settings (PipelineHarness.quickGroup), as ops would give
                    "--kafka-config", "session.timeout.ms=4000", "--kafka-config", "heartbeat.interval.ms=500",
                ]
                    + arguments)
            return (run.status, run.output)
        }

        /// The group's committed offset on the attempt topic, as `livegate lag` reports it.
        func committed(_ h: PipelineHarness) throws -> JSONValue? {
            let lag = OffsetsCommandTests()
            return lag.attempts(try lag.lag(h))?["committed"]
        }

        @Test(
            "a dry run changes nothing; --execute moves the group back and the records are answered again, same bytes")
        func resetAndReread() throws {
            let h = try PipelineHarness(partitions: 1)
            try h.migrate()
            let now = Fixtures.now()
            let out = try h.reader([Topics.transactionVerdict])
            var worker = h.startWorker(group: "ops")
            let ids = (0..<10).map { "r-\($0)" }
            try h.publish(ids.map { Fixtures.attempt($0, tenant: "t", amount: "1", at: now, environment: "test") })
            try #require(try out.awaitAnswers(ids))
            let first = ids.map { out.verdicts($0) }

            // Live workers: refused, whatever the target.
            let refused = try reset(h, ["--to-earliest", "--execute"])
            #expect(refused.status != 0 && refused.output.contains("are live"), "\(refused.output)")
            // The premise below: the group committed all 10. (A commit the group refused while its two lanes were
            // still joining is made once it settles; stopping before that would leave nothing committed.)
            try #require(try eventually(30) { try committed(h) == .number("10") }, "the group never committed 10")
            try worker.stop()

            let dry = try JSONParser.parse(Array(try reset(h, ["--to-offset", "4", "--json"]).output.utf8))
            #expect(dry["executed"] == .bool(false))
            if case let .array(moves)? = dry["partitions"] {
                #expect(moves.first?["target"] == .number("4") && moves.first?["reread"] == .number("6"), "\(dry)")
            } else {
                Issue.record("no partitions in \(dry)")
            }
            #expect(try committed(h) == .number("10"), "a dry run commits nothing")

            let done = try reset(h, ["--to-offset", "4", "--execute"])
            #expect(done.status == 0 && done.output.contains("re-read 6"), "\(done.output)")
            #expect(try committed(h) == .number("4"))

            // The group resumes at 4: records 4…9 are read again and answered from the store, byte for byte.
            worker = h.startWorker(group: "ops")
            #expect(
                try out.read(timeoutSeconds: 60) { _ in
                    (4..<ids.count).allSatisfy { out.verdicts(ids[$0]).count > first[$0].count }
                },
                "the workers did not re-read from the new offset")
            try worker.stop()
            for (id, before) in zip(ids, first) {
                #expect(Set(out.verdicts(id).map(JSONWriter.string)) == Set(before.map(JSONWriter.string)), "\(id)")
            }
            // (Counted against the first run: a rebalance between its lanes may already have republished one.)
            #expect(
                ids[..<4].allSatisfy { out.verdicts($0).count == first[ids.firstIndex(of: $0)!].count },
                "records before the new offset were read again")

            h.database.drop()
        }
    }
}
