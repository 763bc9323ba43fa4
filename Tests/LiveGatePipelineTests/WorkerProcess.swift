import Foundation
import LiveGateLocal
import LiveGateTestSupport

/// A `livegate run` child process, as operators run it: separate address space, real signals.
final class WorkerProcess {
    let pid: pid_t
    let logPath: String
    private var exitStatus: Int32?

    /// The `livegate` executable built next to this test bundle.
    static var executable: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("livegate")
            .path
    }

    /// What a test worker trusts unless the test is about signatures or timestamps: no key sets, and the
    /// embedded broker's producer timestamps (it ignores LogAppendTime). `livegate run` refuses to start
    /// without key sets or these allowances (contract v1.2, "Nothing fails open").
    static let allowances = ["--allow-unsigned-decisions", "--allow-unsigned-resolutions", "--allow-producer-time"]

    /// The variables that decide what a worker trusts: a test gives them explicitly or not at all, never
    /// inherits them from whoever runs the tests.
    static let trustVariables = [
        "LIVEGATE_DECISION_KEYS", "LIVEGATE_RESOLUTION_KEYS", "LIVEGATE_ALLOW_UNSIGNED_DECISIONS",
        "LIVEGATE_ALLOW_UNSIGNED_RESOLUTIONS", "LIVEGATE_ALLOW_PRODUCER_TIME", "LIVEGATE_RELEASE_WINDOW_DAYS",
    ]

    /// `trust`: the options about key sets and timestamps (default `allowances`).
    init(
        _ harness: PipelineHarness, group: String, name: String, batch: Int = 100, fault: String? = nil,
        kafka: [String] = [], databaseURL: String? = nil, environment: [String: String] = [:],
        trust: [String] = WorkerProcess.allowances, arguments extra: [String] = []
    ) throws {
        logPath =
            FileManager.default.temporaryDirectory.appendingPathComponent("livegate-\(name)-\(UUID().uuidString).log")
            .path
        let arguments =
            [
                "run", "--brokers", harness.broker.bootstrapServers, "--database-url",
                databaseURL ?? harness.database.url,
                "--group", group, "--batch-max", String(batch), "--batch-wait-ms", "20",
                "--kafka-config", "session.timeout.ms=4000", "--kafka-config", "heartbeat.interval.ms=500",
            ] + kafka.flatMap { ["--kafka-config", $0] } + trust + extra
        // Only what this test gives: none of the caller's fault or trust settings.
        pid = try Subprocess.spawn(
            Self.executable, arguments,
            environment: environment.merging(fault.map { ["LIVEGATE_FAULT": $0] } ?? [:]) { $1 },
            removing: ["LIVEGATE_FAULT"] + Self.trustVariables, output: logPath)
    }

    /// Any other long-running `livegate` command (`serve`), its output in a log file.
    convenience init(livegate arguments: [String], name: String) throws {
        try self.init(executable: Self.executable, arguments, name: name)
    }

    /// Any long-running program the tests need beside LiveGate (Prometheus), killed with the object.
    init(executable: String, _ arguments: [String], name: String) throws {
        logPath =
            FileManager.default.temporaryDirectory.appendingPathComponent("livegate-\(name)-\(UUID().uuidString).log")
            .path
        pid = try Subprocess.spawn(executable, arguments, removing: ["LIVEGATE_API_TOKEN_FILE"], output: logPath)
    }

    /// Runs `livegate` with `arguments` to the end (at most 60 s): its exit status and output.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (
        status: Int32?, output: String
    ) {
        let outcome = try Subprocess.run(executable, arguments, environment: environment, timeoutSeconds: 60)
        return (outcome.status, outcome.output)
    }

    func signal(_ signal: Int32) { kill(pid, signal) }

    /// Waits up to `seconds` for the process to exit; its exit status (137 after SIGKILL), or nil if still running.
    func waitForExit(seconds: Double) -> Int32? {
        if let exitStatus { return exitStatus }
        exitStatus = Subprocess.wait(pid, seconds: seconds)
        return exitStatus
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Every thread's stack of the running worker (gdb, where installed), for a failure that says where a
    /// worker that would not stop was waiting; bounded to 60 s and its last 64 KiB.
    func stacks() -> String {
        let gdb = "/usr/bin/gdb"
        guard exitStatus == nil, FileManager.default.isExecutableFile(atPath: gdb) else { return "(no gdb)" }
        let outcome = try? Subprocess.run(
            gdb, ["-p", "\(pid)", "-batch", "-ex", "thread apply all bt 25"], timeoutSeconds: 60,
            maxOutputBytes: 65_536)
        return outcome?.output ?? "(gdb failed)"
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            _ = Subprocess.wait(pid, seconds: 10)
        }
    }
}
