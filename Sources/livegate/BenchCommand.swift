import ArgumentParser
import Foundation
import LiveGateBench
import LiveGateLocal
import LiveGatePipeline

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract:
            "Measure the real pipeline (throughput, latency percentiles) beside batches of one and the database floor.",
        discussion: """
            Runs an embedded broker, the worker in its own process, and durable PostgreSQL (a private server unless
            --database-url or LIVEGATE_DATABASE_URL names one; each phase gets a fresh schema). The one-call phase
            also runs livegate serve in its own process and calls POST /v1/transaction-attempts at --call-rate,
            timing each call beside the pipeline's own latency for the same attempts. Prints a table; with
            --json, one JSON line last.
            """)

    @Option(help: "Attempts of the main run.") var attempts = 200_000
    @Option(help: "Tenants the attempts are spread over.") var tenants = 1_000
    @Option(help: "Offered rate of the open-loop run, attempts/s (default: half the measured maximum).") var rate: Int?
    @Option(
        help:
            "Calls of the one-call phase, POST /v1/transaction-attempts to livegate serve (default: a tenth, 500–20000)."
    )
    var calls: Int?
    @Option(name: .customLong("call-rate"), help: "Calls a second of the one-call phase (default 1000).") var callRate =
        1_000
    @Option(
        name: .customLong("batch-of-one-attempts"), help: "Attempts of the batch-of-one baseline (default: a tenth).")
    var batchOfOneAttempts: Int?
    @Option(name: .customLong("batch-max"), help: "Largest batch of the batched worker (livegate run --batch-max).")
    var batchMax = WorkerConfiguration.defaultBatchRecords
    @Option(help: "Lanes of the worker under test (livegate run --lanes); the database floor uses as many connections.")
    var lanes = WorkerConfiguration.defaultLanes
    /// Without a URL, bench starts the private PostgreSQL.
    @OptionGroup var database: DatabaseOptions
    @Flag(help: "Print one JSON line last, for scripts.") var json = false
    @Option(help: "Run everything this many times, 1–20, and print each figure's median and spread.") var `repeat` = 1
    @Flag(
        name: .customLong("closed-loop-only"),
        help: "Only the closed loop (with its tenths) and the database floor: for scale runs.") var closedLoopOnly =
        false

    func validate() throws {
        try Run.lanesSetting.check(lanes)
        try Run.batchMaxSetting.check(batchMax)
        guard (1...20).contains(`repeat`) else { throw ValidationError("--repeat must be 1 to 20.") }
        guard (1...100_000).contains(callRate) else { throw ValidationError("--call-rate must be 1 to 100000.") }
        if let calls, calls < 1 { throw ValidationError("--calls must be at least 1.") }
    }

    func run() throws {
        let url = try database.optionalURL() ?? LocalPostgres.fromEnvironment().start()
        let executable =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let config = BenchConfig(
            attempts: attempts, tenants: tenants, rate: rate, databaseURL: url, executable: executable,
            batchMax: batchMax, lanes: lanes, batchOfOneAttempts: batchOfOneAttempts,
            closedLoopOnly: closedLoopOnly, calls: calls, callRate: callRate)
        var reports: [Bench.Report] = []
        for run in 1...`repeat` {
            let label = `repeat` > 1 ? "bench \(run)/\(`repeat`)" : "bench"
            let report = try Bench(config: config).run {
                FileHandle.standardError.write(Data("\(label): \($0)\n".utf8))
            }
            print(report.table + "\n")
            reports.append(report)
        }
        if `repeat` > 1 { print(BenchSummary(runs: reports).table) }
        if json { print(`repeat` > 1 ? BenchSummary(runs: reports).json : reports[0].json) }
    }
}
