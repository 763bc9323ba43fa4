import Foundation
import Kafka
import LiveGateCore
import LiveGateLocal
import LiveGatePipeline
import LiveGateStore
import LiveGateTestSupport
import Logging
import Postgres
import Testing

/// In-process workers for a `PipelineHarness`.
extension PipelineHarness {
    func migrate() throws {
        try Migrations.apply(on: try PostgresConnection(url: database.url))
    }

    /// The embedded broker keeps the producer's timestamps (it ignores `LogAppendTime`), so workers on it must
    /// allow producer time, as `livegate dev` does.
    static let embeddedBrokerRules = Rules(allowProducerTime: true)

    func configuration(
        group: String = "livegate-test", batch: Int = 500, lanes: Int = 2,
        rules: Rules = PipelineHarness.embeddedBrokerRules
    ) -> WorkerConfiguration {
        WorkerConfiguration(
            brokers: broker.bootstrapServers, databaseURL: database.url, group: group,
            kafka: Self.quickGroup, lanes: lanes, maxBatchRecords: batch, maxBatchWaitMillis: 50,
            rules: rules)
    }

    /// Starts a worker on its own thread; stop it with `stop()` on the returned handle.
    func startWorker(
        group: String = "livegate-test", batch: Int = 500, lanes: Int = 2,
        rules: Rules = PipelineHarness.embeddedBrokerRules
    ) -> WorkerHandle {
        var logger = Logger(label: "test.worker")
        logger.logLevel = .critical
        return Worker(
            configuration: configuration(group: group, batch: batch, lanes: lanes, rules: rules), logger: logger
        ).start()
    }
}

/// An HTTP request through curl (5 s at most): the status code, the response headers and the body.
func curl(_ url: String, method: String = "GET", token: String? = nil, body: String? = nil)
    throws -> (status: Int, headers: String, body: String)
{
    let header = FileManager.default.temporaryDirectory.appendingPathComponent("h-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: header) }
    // HEAD through -I: with -X HEAD curl would wait for the body Content-Length announces.
    // A POST may wait for its verdict up to 10 s.
    var arguments =
        ["-s", "-m", body == nil ? "5" : "15"] + (method == "HEAD" ? ["-I"] : ["-X", method])
        + ["-D", header, "-w", "\n%{http_code}", url]
    if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
    // A large body goes through a file: one argument may hold at most 128 KiB (MAX_ARG_STRLEN).
    let bodyFile = FileManager.default.temporaryDirectory.appendingPathComponent("b-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: bodyFile) }
    if let body, body.utf8.count > 64 * 1024 {
        FileManager.default.createFile(atPath: bodyFile, contents: Data(body.utf8))
        arguments += ["-H", "Content-Type: application/json", "--data-binary", "@" + bodyFile]
    } else if let body {
        arguments += ["-H", "Content-Type: application/json", "--data-binary", body]
    }
    let outcome = try Subprocess.run("/usr/bin/curl", arguments, timeoutSeconds: 20)
    let lines = outcome.output.split(separator: "\n", omittingEmptySubsequences: false)
    return (
        Int(lines.last ?? "") ?? 0, (try? String(contentsOfFile: header, encoding: .utf8)) ?? "",
        lines.dropLast().joined(separator: "\n")
    )
}

/// Polls `condition` every 200 ms for up to `seconds`; whether it came true.
func eventually(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(200_000)
    }
    return try condition()
}

/// Every test of this target builds a broker, a database and workers: on 2 cores they run one at a time.
@Suite("Pipeline", .serialized) struct PipelineTests {}
