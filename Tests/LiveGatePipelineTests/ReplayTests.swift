import Foundation
import Kafka
import LiveGateCore
import LiveGateTestSupport
import Postgres
import Testing

extension PipelineTests {
    @Suite("Replays change nothing")
    struct ReplayTests {
        @Test("a fresh group reading every input again republishes every verdict byte for byte")
        func replay() throws {
            let h = try PipelineHarness(partitions: 4)
            try h.migrate()
            let now = Fixtures.now()
            let tenants = (0..<4).map { "t-\($0)" }
            try h.publish(tenants.map { Fixtures.declaration("d-\($0)", tenant: $0) })
            let first = h.startWorker(group: "live")
            let out = try h.reader([Topics.accessVerdict, Topics.transactionVerdict, Topics.deadLetter])
            try #require(try out.awaitAnswers(tenants.map { "d-\($0)" }))
            try h.publish(
                tenants.map { Fixtures.decision("a-\($0)", tenant: $0, action: "approve", at: Fixtures.now()) })
            try #require(try out.awaitAnswers(tenants.map { "a-\($0)" }))
            var ids: [String] = []
            var attempts: [String] = []
            for i in 0..<80 {
                let id = "x-\(i)"
                ids.append(id)
                attempts.append(Fixtures.attempt(id, tenant: tenants[i % 4], amount: "\(20 + i % 7).25", at: now))
            }
            try h.publish(attempts)
            try #require(try out.awaitAnswers(ids))
            try first.stop()
            let db = try PostgresConnection(url: h.database.url)
            let usage = try db.query("SELECT tenant_id, window_kind, used_micros FROM usage_windows ORDER BY 1, 2").rows
            #expect(!usage.isEmpty)

            let replay = h.startWorker(group: "replay-\(UUID().uuidString)")
            let all = tenants.map { "d-\($0)" } + tenants.map { "a-\($0)" } + ids
            let replayed = try out.read(timeoutSeconds: 90) { records in
                let answered = Dictionary(
                    grouping: records,
                    by: { $0.value.flatMap { try? JSONParser.parse($0) }?["event_id"]?.stringValue ?? "" })
                // At least once more: a rebalance between the replay group's lanes may hand a published but not yet
                // committed batch to the other lane, which publishes it again, byte for byte.
                return all.allSatisfy { (answered[$0]?.count ?? 0) >= 2 }
            }
            try replay.stop()
            #expect(replayed)
            for id in all {
                let copies = out.records.filter {
                    $0.value.flatMap { try? JSONParser.parse($0) }?["event_id"]?.stringValue == id
                }
                #expect(copies.count >= 2, "\(id)")
                #expect(Set(copies.map { $0.value ?? [] }).count == 1, "\(id) was republished with other bytes")
            }
            #expect(
                try db.query("SELECT tenant_id, window_kind, used_micros FROM usage_windows ORDER BY 1, 2").rows
                    == usage)
            #expect(try db.query("SELECT count(*) FROM processed_events").rows[0][0] == "\(all.count)")
            h.database.drop()
        }
    }
}
