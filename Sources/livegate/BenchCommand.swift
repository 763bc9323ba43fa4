import ArgumentParser
import Foundation
import LiveGateBench
import LiveGateLocal
import LiveGatePipeline

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the real pipeline (throughput, latency percentiles) beside batches of one and the database floor.",
        discussion: """
            Runs an embedded broker, the worker in its own process, and durable PostgreSQL (a private server unless
            --database-url or LIVEGATE_DATABASE_URL names one; each phase gets a fresh schema). Prints a table;
            with --json, one JSON line last.
            """)

    @Option(help: "Attempts of the main run.") var attempts = 200_000
    @Option(help: "Tenants the attempts are spread over.") var tenants = 1_000
    @Option(help: "Offered rate of the open-loop run, attempts/s (default: half the measured maximum).") var rate: Int?
    @Option(name: .customLong("batch-of-one-attempts"), help: "Attempts of the batch-of-one baseline (default: a tenth).")
    var batchOfOneAttempts: Int?
    @Option(name: .customLong("batch-max"), help: "Largest batch of the batched worker (livegate run --batch-max).")
    var batchMax = WorkerConfiguration.defaultBatchRecords
    @Option(help: "Lanes of the worker under test (livegate run --lanes); the database floor uses as many connections.")
    var lanes = WorkerConfiguration.defaultLanes
    @Option(name: .long, help: "PostgreSQL server URL (env: LIVEGATE_DATABASE_URL).") var databaseURL: String?
    @Flag(help: "Print one JSON line last, for scripts.") var json = false

    func validate() throws {
        try WorkerConfiguration.validate(lanes: lanes, batchMax: batchMax)
    }

    func run() throws {
        let url = try (databaseURL ?? Env.get("LIVEGATE_DATABASE_URL")).map(DatabaseOptions.checked)
            ?? LocalPostgres.fromEnvironment().start()
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let config = BenchConfig(attempts: attempts, tenants: tenants, rate: rate, databaseURL: url, executable: executable,
                                 batchMax: batchMax, lanes: lanes, batchOfOneAttempts: batchOfOneAttempts)
        let report = try Bench(config: config).run { FileHandle.standardError.write(Data("bench: \($0)\n".utf8)) }
        print(report.table)
        if json { print(report.json) }
    }
}
