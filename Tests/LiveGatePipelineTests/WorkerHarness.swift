import Foundation
import Kafka
import LiveGateCore
import LiveGatePipeline
import LiveGateStore
import LiveGateTestSupport
import Logging
import Postgres

/// In-process workers for a `PipelineHarness`.
extension PipelineHarness {
    func migrate() throws {
        try Migrations.apply(on: try PostgresConnection(url: database.url))
    }

    func configuration(group: String = "livegate-test", batch: Int = 500) -> WorkerConfiguration {
        WorkerConfiguration(brokers: broker.bootstrapServers, databaseURL: database.url, group: group,
                            kafka: Self.quickGroup, maxBatchRecords: batch, maxBatchWaitMillis: 50)
    }

    /// Starts a worker; stop it with `stop()` on the returned handle.
    func startWorker(group: String = "livegate-test", batch: Int = 500) -> RunningWorker {
        var logger = Logger(label: "test.worker")
        logger.logLevel = .warning
        let worker = Worker(configuration: configuration(group: group, batch: batch), logger: logger)
        let task = Task { try await worker.run() }
        return RunningWorker(worker: worker, task: task)
    }
}

struct RunningWorker {
    let worker: Worker
    let task: Task<Void, Error>

    func stop() async throws {
        worker.requestStop()
        try await task.value
    }
}
