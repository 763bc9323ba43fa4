import Foundation
import LiveGateCore
import LiveGateLocal
import LiveGatePipeline
import LiveGateTestSupport
import Testing

extension PipelineTests {
@Suite("livegate lag")
struct OffsetsCommandTests {
    func lag(_ h: PipelineHarness) throws -> JSONValue {
        let run = try WorkerProcess.run(["lag", "--group", "ops", "--json", "--brokers", h.broker.bootstrapServers])
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
        let worker = h.startWorker(group: "ops")
        let first = (0..<10).map { "o-\($0)" }
        try h.publish(first.map { Fixtures.attempt($0, tenant: "t", amount: "1", at: now, environment: "test") })
        try #require(try out.awaitAnswers(first))
        try worker.stop()
        var row = try #require(attempts(try lag(h)))
        #expect(row["committed"] == .number("10") && row["end"] == .number("10") && row["lag"] == .number("0"), "\(row)")

        try h.publish((10..<15).map { Fixtures.attempt("o-\($0)", tenant: "t", amount: "1", at: now, environment: "test") })
        row = try #require(attempts(try lag(h)))
        #expect(row["lag"] == .number("5"))
        let text = try WorkerProcess.run(["lag", "--group", "ops", "--brokers", h.broker.bootstrapServers])
        #expect(text.status == 0 && text.output.contains("total lag 5"), "\(text.output)")

        h.database.drop()
    }
}
}
