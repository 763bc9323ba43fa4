import Foundation
import Kafka
import LiveGateCore
import LiveGatePipeline
import LiveGateTestSupport
import Testing

extension PipelineTests {
@Suite("Stalled worker proof")
struct StallProofTests {
    @Test("a worker frozen with SIGSTOP until its partitions move, then resumed, neither double counts nor contradicts")
    func frozenWorker() throws {
        let h = try PipelineHarness(partitions: 4)
        try h.migrate()
        let work = ProofWorkload(scale: ProofScale(attempts: 4000, tenants: 12, kills: 0), seed: 3)
        let out = try h.reader()
        let a = try WorkerProcess(h, group: "stall", name: "stall-a", batch: 50)
        let b = try WorkerProcess(h, group: "stall", name: "stall-b", batch: 50)
        try work.approveTenants(h, out)

        let thirds = work.attempts.count / 3
        try h.publish(work.attempts[..<thirds].map(\.json))
        try #require(try out.awaitAnswers(work.attempts[..<(thirds / 3)].map(\.id), timeoutSeconds: 90))
        a.signal(SIGSTOP)  // frozen wherever it was, possibly inside a transaction or a publish
        let frozen = Date()
        try h.publish(work.attempts[thirds..<(2 * thirds)].map(\.json))
        let takenOver = try out.awaitAnswers(work.attempts[..<(2 * thirds)].map(\.id), timeoutSeconds: 120)
        let takeover = Date().timeIntervalSince(frozen)
        a.signal(SIGCONT)  // resumes its stale batch: the store must answer it with the stored bytes
        try h.publish(work.attempts[(2 * thirds)...].map(\.json) + work.decisions.map(\.json))
        let answered = try out.awaitAnswers(work.allIds, timeoutSeconds: 120)
        try ProofInvariants.awaitStatuses(out, databaseURL: h.database.url)
        let result = try ProofInvariants.check(work, watcher: out, databaseURL: h.database.url)
        print(result.report("stalled worker proof", figures: [
            "inputs: \(work.allIds.count)", "frozen until the other worker answered everything: \(String(format: "%.1f", takeover)) s",
        ]))
        #expect(takenOver && answered)
        #expect(result.holds, "\(result.failures)")
        #expect(result.mixHolds, "\(result.outcomes)")
        for worker in [a, b] {
            worker.signal(SIGTERM)
            #expect(worker.waitForExit(seconds: 60) == 0)
        }
        h.database.drop()
    }
}
}
