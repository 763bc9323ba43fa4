import Foundation
import Kafka
import LiveGateCore
import LiveGateOps
import LiveGatePipeline
import LiveGateStore
import LiveGateTestSupport
import Postgres
import Testing

extension PipelineTests {
    @Suite("livegate replay")
    struct ReplayCommandTests {
        func request(_ h: PipelineHarness, dryRun: Bool, force: Bool = false, partition: Int32? = 0) -> Replayer.Request
        {
            Replayer.Request(
                brokers: h.broker.bootstrapServers, databaseURL: h.database.url,
                topic: Topics.transactionAttempt, partition: partition, dryRun: dryRun, force: force,
                liveGroup: "livegate-test", operatorName: "test", rules: PipelineHarness.embeddedBrokerRules)
        }

        @Test("dry run reports what would change and keeps nothing; a replay applies; a second changes nothing")
        func dryRunThenReplay() throws {
            let h = try PipelineHarness(partitions: 1)
            try h.migrate()
            let now = Fixtures.now()
            let ids = (0..<30).map { "r-\($0)" }
            try h.publish(
                ids.map { Fixtures.attempt($0, tenant: "t", amount: "1", at: now, environment: "test") }
                    + [
                        Fixtures.attempt("r-x", tenant: "t", amount: "1", at: now).replacingOccurrences(
                            of: "\"amount\"", with: "\"amount\":1,\"amount\"")
                    ])
            let out = try h.reader([Topics.transactionVerdict, Topics.deadLetter])
            var seen: [Int64] = []
            let dry = try Replayer(request(h, dryRun: true)).run { done, _ in seen.append(done) }
            #expect(dry.records == 31 && dry.applied == 30 && dry.deadLetters == 1 && dry.duplicates == 0)
            #expect(seen.last == 31)
            let db = try PostgresConnection(url: h.database.url)
            #expect(try db.query("SELECT count(*) FROM processed_events").rows[0][0] == "0")

            let real = try Replayer(request(h, dryRun: false)).run()
            #expect(real.applied == 30 && real.deadLetters == 1)
            #expect(try out.awaitAnswers(ids, timeoutSeconds: 30))
            let again = try Replayer(request(h, dryRun: true)).run()
            #expect(again.applied == 0 && again.duplicates == 30)
            let audit = try db.query("SELECT dry_run, result, records, applied FROM replay_audit ORDER BY id").rows
            #expect(
                audit == [
                    ["t", "completed", "31", "30"], ["f", "completed", "31", "30"], ["t", "completed", "31", "0"],
                ])
            h.database.drop()
        }

        @Test("a replay publishes a dead letter as large as a worker does (over 1,000,000 bytes, within 1 MiB)")
        func largeDeadLetter() throws {
            let h = try PipelineHarness(partitions: 1)
            try h.migrate()
            try h.publish(Topics.transactionAttempt, key: "t-9", values: [(0..<900_000).map { UInt8(1 + $0 % 31) }])
            let out = try h.reader([Topics.deadLetter])
            let counts = try Replayer(request(h, dryRun: false)).run()
            #expect(counts.deadLetters == 1)
            #expect(try out.read(timeoutSeconds: 30) { _ in out.on(Topics.deadLetter).count == 1 })
            let size = out.records.first { $0.topic == Topics.deadLetter }
                .map { ($0.value?.count ?? 0) + ($0.key?.count ?? 0) }
            #expect((size ?? 0) > 1_000_000 && (size ?? 0) <= DeadLetter.maxRecordBytes, "\(size ?? -1) bytes")
            h.database.drop()
        }

        @Test("without a partition, every partition of the topic is replayed in one run with one audit row")
        func everyPartition() throws {
            let h = try PipelineHarness(partitions: 3)
            try h.migrate()
            let now = Fixtures.now()
            let ids = (0..<30).map { "all-\($0)" }
            // Thirty tenants: keys spread the attempts over the three partitions.
            try h.publish(
                ids.map { Fixtures.attempt($0, tenant: "t-\($0)", amount: "1", at: now, environment: "test") })
            let out = try h.reader([Topics.transactionVerdict])
            let counts = try Replayer(request(h, dryRun: false, partition: nil)).run()
            #expect(counts.records == 30 && counts.applied == 30)
            #expect(try out.awaitAnswers(ids, timeoutSeconds: 30))
            let db = try PostgresConnection(url: h.database.url)
            let rows = try db.query(
                """
                SELECT partition, from_offset, result, records, jsonb_array_length(ranges) FROM replay_audit
                """
            ).rows
            #expect(rows.count == 1)
            #expect(rows.first?[0] == nil && rows.first?[1] == nil && rows.first?[2] == "completed")
            #expect(rows.first?[3] == "30")
            let partitions = Int(rows.first?[4] ?? nil ?? "0") ?? 0
            #expect(partitions > 1, "the attempts landed on \(partitions) partition(s) only")
            h.database.drop()
        }

        @Test("refuses while the live group is active, unless forced")
        func liveGroup() throws {
            let h = try PipelineHarness(partitions: 1)
            try h.migrate()
            try h.publish([Fixtures.attempt("q-1", tenant: "t", amount: "1", at: Fixtures.now(), environment: "test")])
            let worker = h.startWorker(group: "livegate-test")
            let out = try h.reader([Topics.transactionVerdict])
            try #require(try out.awaitAnswers(["q-1"]))
            #expect(throws: Replayer.Failure.self) { try Replayer(request(h, dryRun: true)).run() }
            let forced = try Replayer(request(h, dryRun: true, force: true)).run()
            #expect(forced.duplicates == 1)
            try worker.stop()
            h.database.drop()
        }
    }
}
