import Foundation
import LiveGateTestSupport

/// A `livegate run` child process, as operators run it: separate address space, real signals.
final class WorkerProcess {
    let process = Process()
    let logURL: URL

    /// The `livegate` executable built next to this test bundle.
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("livegate")
    }

    init(_ harness: PipelineHarness, group: String, name: String, batch: Int = 100, fault: String? = nil) throws {
        logURL = FileManager.default.temporaryDirectory.appendingPathComponent("livegate-\(name)-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        process.executableURL = Self.executable
        process.arguments = [
            "run", "--brokers", harness.broker.bootstrapServers, "--database-url", harness.database.url,
            "--group", group, "--batch-max", String(batch), "--batch-wait-ms", "20",
            "--kafka-config", "session.timeout.ms=4000", "--kafka-config", "heartbeat.interval.ms=500",
        ]
        if let fault {
            var environment = ProcessInfo.processInfo.environment
            environment["LIVEGATE_FAULT"] = fault
            process.environment = environment
        }
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits up to `seconds` for the process to exit; returns its exit status, or nil if it is still running.
    func waitForExit(seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { usleep(50_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
