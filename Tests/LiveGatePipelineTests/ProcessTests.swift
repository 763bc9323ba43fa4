import Foundation
import Kafka
import LiveGateCore
import LiveGatePipeline
import LiveGateTestSupport
import Postgres
import Testing

extension PipelineTests {
@Suite("Worker processes: failover and graceful shutdown")
struct ProcessTests {
    /// Approves `tenants` and returns a stream of $10 live attempts, `perTenant` each (ceiling: 50 a day).
    func prepare(_ h: PipelineHarness, tenants: [String], perTenant: Int, out: OutputWatcher) throws -> [(String, String)] {
        try h.publish(tenants.map { Fixtures.declaration("d-\($0)", tenant: $0) })
        try #require(try out.awaitAnswers(tenants.map { "d-\($0)" }, timeoutSeconds: 90))
        try h.publish(tenants.map { Fixtures.decision("a-\($0)", tenant: $0, action: "approve") })
        try #require(try out.awaitAnswers(tenants.map { "a-\($0)" }, timeoutSeconds: 90))
        let now = Fixtures.now()
        return (0..<perTenant).flatMap { i in
            tenants.map { t in ("x-\(t)-\(i)", Fixtures.attempt("x-\(t)-\(i)", tenant: t, amount: "10", at: now)) }
        }
    }

    /// Every attempt answered, every repeat byte-identical, no tenant past $500, usage = allowed verdicts.
    func checkInvariants(_ h: PipelineHarness, out: OutputWatcher, attempts: [(String, String)], tenants: [String]) throws {
        var allowedByTenant: [String: Int] = [:]
        for (id, _) in attempts {
            let copies = out.records.filter {
                $0.topic == Topics.transactionVerdict
                    && ($0.value.flatMap { try? JSONParser.parse($0) })?["event_id"]?.stringValue == id
            }
            #expect(!copies.isEmpty, "\(id) has no verdict")
            #expect(Set(copies.map { $0.value ?? [] }).count == 1, "\(id) has contradicting verdicts")
            if let v = copies.first?.value.flatMap({ try? JSONParser.parse($0) }), v["outcome"]?.stringValue == "allowed",
               let tenant = v["tenant_id"]?.stringValue {
                allowedByTenant[tenant, default: 0] += 1
            }
        }
        let db = try PostgresConnection(url: h.database.url)
        for tenant in tenants {
            #expect(allowedByTenant[tenant] == 50, "\(tenant) allowed \(allowedByTenant[tenant] ?? 0)")
            let used = try db.query("SELECT used_micros FROM usage_windows WHERE tenant_id = $1 AND window_kind = 'day'",
                                    [tenant]).rows.first?.first ?? nil
            #expect(used == "500000000", "\(tenant) used \(used ?? "nothing")")
        }
    }

    @Test("two workers in one group, one killed halfway: one verdict per input, no ceiling exceeded")
    func failover() throws {
        let h = try PipelineHarness(partitions: 6)
        try h.migrate()
        let out = try h.reader()
        let tenants = (0..<8).map { "t-\($0)" }
        let a = try WorkerProcess(h, group: "pair", name: "a")
        let b = try WorkerProcess(h, group: "pair", name: "b")
        let attempts = try prepare(h, tenants: tenants, perTenant: 70, out: out)
        let half = attempts.count / 2
        try h.publish(attempts[..<half].map(\.1))
        try #require(try out.awaitAnswers(attempts[..<(half / 2)].map(\.0), timeoutSeconds: 90))
        a.signal(SIGKILL)  // mid-stream: whatever it had in flight is redone by b
        try h.publish(attempts[half...].map(\.1))
        #expect(try out.awaitAnswers(attempts.map(\.0), timeoutSeconds: 120), "log of b:\n\(b.log.suffix(2000))")
        try checkInvariants(h, out: out, attempts: attempts, tenants: tenants)
        b.signal(SIGTERM)
        #expect(b.waitForExit(seconds: 30) == 0)
        h.database.drop()
    }

    @Test("SIGTERM mid-stream drains, commits and exits 0; a restart loses and double-counts nothing")
    func gracefulShutdown() throws {
        let h = try PipelineHarness(partitions: 4)
        try h.migrate()
        let out = try h.reader()
        let tenants = (0..<6).map { "t-\($0)" }
        let first = try WorkerProcess(h, group: "solo", name: "first", batch: 20)
        let attempts = try prepare(h, tenants: tenants, perTenant: 60, out: out)
        try h.publish(attempts.map(\.1))
        try #require(try out.read(timeoutSeconds: 90) { records in
            records.filter { $0.topic == Topics.transactionVerdict }.count >= 40
        })
        first.signal(SIGTERM)
        #expect(first.waitForExit(seconds: 30) == 0, "log:\n\(first.log.suffix(2000))")
        #expect(first.log.contains("worker stopped"))
        let second = try WorkerProcess(h, group: "solo", name: "second")
        #expect(try out.awaitAnswers(attempts.map(\.0), timeoutSeconds: 120))
        try checkInvariants(h, out: out, attempts: attempts, tenants: tenants)
        second.signal(SIGINT)
        #expect(second.waitForExit(seconds: 30) == 0)
        h.database.drop()
    }
}
}
