import Foundation
import LiveGateCore
import LiveGateLocal
import LiveGateTestSupport
import Testing

extension PipelineTests {
@Suite("livegate bench, short")
struct BenchTests {
    /// No absolute timing here: only that the bench completes, reports every figure, and that batching beats
    /// one transaction per attempt in the same run.
    @Test("completes, reports every figure, and the batched pipeline beats batches of one")
    func shortBench() throws {
        let server = try TestDatabase.create()
        defer { server.drop() }
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("livegate-bench-\(UUID().uuidString).log").path
        let pid = try Subprocess.spawn(WorkerProcess.executable, [
            "bench", "--attempts", "3000", "--tenants", "50", "--batch-of-one-attempts", "600", "--json",
            "--database-url", server.server,
        ], output: log)
        let status = Subprocess.wait(pid, seconds: 300)
        if status == nil { kill(pid, SIGKILL) }
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(status == 0, "\(output.suffix(2000))")
        let last = output.split(separator: "\n").last { $0.hasPrefix("{") }.map(String.init) ?? ""
        let json = try JSONParser.parse(Array(last.utf8))
        func number(_ v: JSONValue?) -> Double { if case let .number(n)? = v { return Double(n) ?? 0 } else { return 0 } }
        for key in ["throughput_per_s", "worker_rss_mb_max"] { #expect(number(json[key]) > 0, "\(key)") }
        for key in ["p50", "p99", "p999", "max"] { #expect(json["latency_ms"]?[key] != nil) }
        #expect(number(json["db_floor"]?["throughput_per_s"]) > 0)
        let batched = number(json["throughput_per_s"])
        let one = number(json["batch_of_one"]?["throughput_per_s"])
        print("bench (short): batched \(Int(batched))/s, batches of one \(Int(one))/s")
        #expect(batched > one)
    }
}
}
