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
            let out = try h.reader()
            var worker = try WorkerProcess(h, group: "crash", name: "crash-0", batch: 200)
            try work.approveTenants(h, out)

            // Publish the stream in slices while the worker is killed and restarted under it.
            let faults = [
                "crash-after-apply:2", "crash-after-publish:3", "crash-after-apply:5", "crash-after-publish:1",
            ]
            var rng = SplitMix(seed: 7)
            var kills = 0
            var killsWithWorkInFlight = 0
            var crashPoints: [String] = []
            let slices = max(scale.kills, 1) * 2
            let sliceSize = (work.attempts.count + slices - 1) / slices
            var published = 0
            func publishNextSlice() throws {
                guard published < slices else { return }
                let slice = Array(work.attempts.dropFirst(published * sliceSize).prefix(sliceSize))
                try h.publish(slice.map(\.json) + (published == slices / 2 ? work.decisions.map(\.json) : []))
                published += 1
            }
            while published < slices {
                try publishNextSlice()
                guard published % 2 == 0 else { continue }
                // Kill only once this worker has published since it started: it then owns partitions with work in
                // flight, and the kill lands on a batch somewhere between poll and offset commit.
                let before = out.records.count
                if try out.read(timeoutSeconds: 60, until: { _ in out.records.count > before }) {
                    killsWithWorkInFlight += 1
                }
                usleep(UInt32(rng.next() % 500_000))  // a random moment mid-stream
                worker.signal(SIGKILL)
                _ = worker.waitForExit(seconds: 10)
                kills += 1
                // Every other restart dies by itself at a crash point between the commits, then a clean one follows.
                if kills % 2 == 0 {
                    let fault = faults[crashPoints.count % faults.count]
                    let doomed = try WorkerProcess(h, group: "crash", name: "fault-\(kills)", batch: 200, fault: fault)
                    // A fresh slice, so the doomed worker has batches enough to reach its crash point whatever the
                    // killed one left behind.
                    try publishNextSlice()
                    if doomed.waitForExit(seconds: 90) == 137 { crashPoints.append(fault) }
                }
                worker = try WorkerProcess(h, group: "crash", name: "crash-\(kills)", batch: 200)
            }
            let answered = try out.awaitAnswers(work.allIds, timeoutSeconds: 300)
            worker.signal(SIGTERM)
            #expect(worker.waitForExit(seconds: 30) == 0)
            try ProofInvariants.awaitStatuses(out, databaseURL: h.database.url)
            let result = try ProofInvariants.check(work, watcher: out, databaseURL: h.database.url)
            print(
                result.report(
                    "crash proof",
                    figures: [
                        "inputs: \(work.allIds.count) (\(work.attempts.count) attempts, \(scale.tenants) tenants)",
                        "kill -9 at random moments: \(kills), each after the worker had published since it started: \(killsWithWorkInFlight)",
                        "crashes at points between the database commit and the offset commit: \(crashPoints.joined(separator: ", "))",
                        "elapsed: \(Int(Date().timeIntervalSince(started))) s",
                    ]))
            #expect(answered)
            #expect(kills >= scale.kills && killsWithWorkInFlight == kills && crashPoints.count >= 2)
            #expect(result.holds, "\(result.failures)")
            #expect(result.mixHolds, "\(result.outcomes)")
            h.database.drop()
        }
    }
}
