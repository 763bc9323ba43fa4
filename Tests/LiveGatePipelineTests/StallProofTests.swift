import Foundation
import Kafka
import LiveGateCore
import LiveGatePipeline
import LiveGateTestSupport
import Testing

extension PipelineTests {
    @Suite("Stalled worker proof")
    struct StallProofTests {
        @Test(
            "a worker frozen with SIGSTOP until its partitions move, then resumed, neither double counts nor contradicts"
        )
        func frozenWorker() throws {
            let h = try PipelineHarness(partitions: 4)
            try h.migrate()
            // 2,400 attempts in thirds of 800, batches of 50: enough batches in flight at each step to freeze one
            // mid-way; the rules behind it (refused commits, revoked partitions) are LaneMachine's unit tests.
            let work = ProofWorkload(scale: ProofScale(attempts: 2400, tenants: 12, kills: 0), seed: 3)
            let out = try h.reader()
            let a = try WorkerProcess(h, group: "stall", name: "stall-a", batch: 50)
            let b = try WorkerProcess(h, group: "stall", name: "stall-b", batch: 50)
            try work.approveTenants(h, out)

            let thirds = work.attempts.count / 3
            try h.publish(work.attempts[..<thirds].map(\.json))
            try #require(try out.awaitAnswers(work.attempts[..<(thirds / 3)].map(\.id), timeoutSeconds: 90))
            a.signal(SIGSTOP)  // frozen wherever it was, possibly inside a transaction or a publish
            let frozen = Date()
            let host = HostProbe()
            try h.publish(work.attempts[thirds..<(2 * thirds)].map(\.json))
            let takenOver = try out.awaitAnswers(work.attempts[..<(2 * thirds)].map(\.id), timeoutSeconds: 120)
            let takeover = Date().timeIntervalSince(frozen)
            let hostDuring = host.report()
            a.signal(SIGCONT)  // resumes its stale batch: the store must answer it with the stored bytes
            try h.publish(work.attempts[(2 * thirds)...].map(\.json) + work.decisions.map(\.json))
            let answered = try out.awaitAnswers(work.allIds, timeoutSeconds: 120)
            try ProofInvariants.awaitStatuses(out, databaseURL: h.database.url)
            let result = try ProofInvariants.check(work, watcher: out, databaseURL: h.database.url)
            print(
                result.report(
                    "stalled worker proof",
                    figures: [
                        "inputs: \(work.allIds.count)",
                        "frozen until the other worker answered everything: \(String(format: "%.1f", takeover)) s",
                        "host during the takeover: \(hostDuring)",
                    ]))
            #expect(
                takenOver,
                """
                the other worker did not answer the frozen worker's inputs within 120 s of the freeze: \(hostDuring); \
                its last log lines: \(b.log.split(separator: "\n").suffix(5).joined(separator: " | "))
                """)
            #expect(answered)
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
