import Foundation
import Kafka
import LiveGateCore
import LiveGatePipeline
import LiveGateTestSupport
import Testing

extension PipelineTests {
@Suite("Crash proof")
struct CrashProofTests {
    @Test("kill -9 at random moments and at the crash points between commits: nothing lost, nothing twice")
    func crashes() throws {
        let scale = ProofScale.current
        let started = Date()
        let h = try PipelineHarness()
        try h.migrate()
        let work = ProofWorkload(scale: scale)
        let out = try h.reader([Topics.accessVerdict, Topics.transactionVerdict, Topics.deadLetter])
        var worker = try WorkerProcess(h, group: "crash", name: "crash-0", batch: 200)
        try work.approveTenants(h, out)

        // Publish the stream in slices while the worker is killed and restarted under it.
        let faults = ["crash-after-apply:2", "crash-after-publish:3", "crash-after-apply:5", "crash-after-publish:1"]
        var rng = SplitMix(seed: 7)
        var kills = 0
        var crashPoints: [String] = []
        let slices = max(scale.kills, 1) * 2
        let sliceSize = (work.attempts.count + slices - 1) / slices
        for s in 0..<slices {
            let slice = Array(work.attempts.dropFirst(s * sliceSize).prefix(sliceSize))
            try h.publish(slice.map(\.json) + (s == slices / 2 ? work.decisions.map(\.json) : []))
            guard s % 2 == 1 else { continue }
            usleep(UInt32(200_000 + rng.next() % 1_500_000))  // a random moment mid-stream
            worker.signal(SIGKILL)
            _ = worker.waitForExit(seconds: 10)
            kills += 1
            // Every other restart dies by itself at a crash point between the commits, then a clean one follows.
            if kills % 2 == 0 {
                let fault = faults[crashPoints.count % faults.count]
                let doomed = try WorkerProcess(h, group: "crash", name: "fault-\(kills)", batch: 200, fault: fault)
                if doomed.waitForExit(seconds: 90) == 137 { crashPoints.append(fault) }
            }
            worker = try WorkerProcess(h, group: "crash", name: "crash-\(kills)", batch: 200)
        }
        let answered = try out.awaitAnswers(work.allIds, timeoutSeconds: 300)
        worker.signal(SIGTERM)
        #expect(worker.waitForExit(seconds: 30) == 0)
        let result = try ProofInvariants.check(ids: work.allIds, watcher: out, databaseURL: h.database.url)
        print(result.report("crash proof", figures: [
            "inputs: \(work.allIds.count) (\(work.attempts.count) attempts, \(scale.tenants) tenants)",
            "kill -9 at random moments: \(kills)",
            "crashes at points between the database commit and the offset commit: \(crashPoints.joined(separator: ", "))",
            "elapsed: \(Int(Date().timeIntervalSince(started))) s",
        ]))
        #expect(answered)
        #expect(kills >= scale.kills && crashPoints.count >= 2)
        #expect(result.holds, "\(result.missing.prefix(5)) \(result.contradicting.prefix(5)) \(result.overCeiling.prefix(5)) \(result.reconcile.differences.prefix(5))")
        h.database.drop()
    }
}
}
