import Foundation
import LiveGateCore
import LiveGateTestSupport
import Postgres
import Testing

extension PipelineTests {
    @Suite("Lanes of one worker")
    struct LaneTests {
        @Test("three lanes join as three members, share the partitions and answer every attempt once")
        func lanesSharePartitions() throws {
            let h = try PipelineHarness(partitions: 6)
            try h.migrate()
            let tenants = (0..<12).map { "lane-t-\($0)" }
            let worker = h.startWorker(lanes: 3)
            let access = try h.reader([Topics.accessVerdict])
            try h.publish(tenants.map { Fixtures.declaration("d-\($0)", tenant: $0) })
            try #require(try access.awaitAnswers(tenants.map { "d-\($0)" }))
            try h.publish(
                tenants.map { Fixtures.decision("a-\($0)", tenant: $0, action: "approve", at: Fixtures.now()) })
            try #require(try access.awaitAnswers(tenants.map { "a-\($0)" }))
            let now = Fixtures.now()
            let ids = (0..<120).map { "lane-x-\($0)" }
            let out = try h.reader([Topics.transactionVerdict])
            try h.publish(
                ids.enumerated().map { i, id in
                    Fixtures.attempt(id, tenant: tenants[i % tenants.count], amount: "1.50", at: now)
                })
            try #require(try out.awaitAnswers(ids))
            let db = try PostgresConnection(url: h.database.url)
            // Each lane beats under its own name; all three are alive.
            var members: [String] = []
            for _ in 0..<100 {
                members = try db.query("SELECT member FROM worker_heartbeats ORDER BY member").rows.compactMap { $0[0] }
                if members.count == 3 { break }
                usleep(100_000)
            }
            try worker.stop()
            #expect(members.count == 3)
            #expect(Set(members.map { $0.split(separator: "-").last.map(String.init) ?? "" }) == ["0", "1", "2"])
            let verdicts = out.records.compactMap {
                $0.value.flatMap { try? JSONParser.parse($0) }?["event_id"]?.stringValue
            }
            #expect(verdicts.count == ids.count)
            #expect(Set(verdicts) == Set(ids))
            #expect(
                out.records.allSatisfy {
                    $0.value.flatMap { try? JSONParser.parse($0) }?["outcome"]?.stringValue == "allowed"
                })
            #expect(
                try db.query("SELECT sum(used_micros) FROM usage_windows WHERE window_kind = 'day'").rows[0][0]
                    == "180000000")
            h.database.drop()
        }
    }
}
