import Foundation
import Kafka
import LiveGateCore
import LiveGateStore
import Logging

/// Keeps `sly.tenant-status.v1` converging, as the contract promises: readers keep each tenant's record with
/// the highest `version`, and compaction keeps only the last one, so the last record of every tenant must
/// carry its current version. Workers publish statuses in whatever order their lanes finish, and a worker
/// frozen mid-batch publishes old ones whenever it wakes; Kafka orders none of that. So each worker runs
/// one guard that reads the status topic as its readers do (its own consumer group, `<group>.status-guard`,
/// so the topic's partitions are spread over the workers) and, whenever the last record it read for a tenant
/// is not the status of PostgreSQL's row (older, or from v1.2 anything else: forged), publishes the current
/// status after it. A correction that itself lands before a newer status is read and corrected in turn, so
/// the topic settles on the current version within a few polls of the last late record.
final class StatusGuard: @unchecked Sendable {  // used by its one thread only
    let configuration: WorkerConfiguration
    let logger: Logger
    let stop: StopSignal
    /// Most records read per poll, and the longest wait for the first.
    static let maxRecords = 1000
    static let maxWaitMillis = 200

    init(configuration: WorkerConfiguration, logger: Logger, stop: StopSignal) {
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "part"] = "status-guard"
        self.logger = logger
        self.stop = stop
    }

    var group: String { configuration.group + ".status-guard" }

    /// Runs until asked to stop. Failures are logged and retried with backoff; the guard never stops a worker.
    func run() {
        var attempt = 0
        while !stop.isRequested {
            do {
                try session()
                return
            } catch {
                attempt += 1
                logger.warning(
                    "status guard failed; retrying", metadata: ["error": "\(error)", "attempt": "\(attempt)"])
                _ = stop.sleep(millis: configuration.backoff.delayMillis(afterAttempt: attempt))
            }
        }
    }

    private func session() throws {
        let store = try LedgerStore(url: configuration.databaseURL, rules: configuration.rules)
        // A guard group seen for the first time starts at the end: what came before it is history, and reading
        // it all would republish the status of nearly every tenant whose newer record lies further on.
        var settings = configuration.kafka
        settings["auto.offset.reset"] = "latest"
        let consumer = try KafkaConsumer(
            brokers: configuration.brokers, group: group, topics: [Topics.tenantStatus],
            settings: settings, logger: KafkaLogBridge(logger: logger))
        defer { consumer.close() }
        let producer = try configuration.makeProducer()
        while !stop.isRequested {
            let records = try consumer.poll(maxRecords: Self.maxRecords, maxWaitMillis: Self.maxWaitMillis)
            guard !records.isEmpty else { continue }
            let corrections = try self.corrections(for: records, store: store)
            if !corrections.isEmpty {
                try producer.send(corrections.map(BatchPlan.producerRecord))
                logger.notice(
                    "republished current statuses after others", metadata: ["tenants": "\(corrections.count)"])
            }
            do {
                try consumer.commit(BatchPlan.nextOffsets(of: records))
            } catch {
                // Not worth a new session (whose rejoin would rebalance every other guard): records read again
                // are checked again, and a current one needs nothing.
                logger.info("status guard offset commit failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// The current status of every tenant whose last record in `records` is not, byte for byte, the status
    /// of its stored row. An older version is a late publisher (a lane, a worker that froze and woke); from v1.2
    /// anything else is corrected too: a higher version or another content at the current one (a forged or
    /// foreign record, or a database that lost commits in a failover), a tombstone, a value that is no status.
    /// PostgreSQL is what LiveGate decides by, so its state goes last on the topic. Tenants are known by the
    /// record key, as compaction knows them; one PostgreSQL has never seen is `sandbox_only` at version 0.
    func corrections(for records: [ConsumedRecord], store: LedgerStore) throws -> [OutputRecord] {
        let last = Self.lastValues(records)
        guard !last.isEmpty else { return [] }
        let stored = try store.currentTenants(last.map(\.key.text))
        var corrections: [OutputRecord] = []
        for (id, value) in last {
            let current = TenantStatus.record(stored[id] ?? TenantRecord(tenantId: id.text), rules: configuration.rules)
            guard value != current.value else { continue }
            if !Self.isOlder(value, than: current) {
                logger.error(
                    "a tenant-status record LiveGate did not publish; publishing the stored status after it",
                    metadata: ["tenant": "\(id)"])
            }
            corrections.append(current)
        }
        return corrections
    }

    /// The value of the last record of each key in `records` (nil for a tombstone); a tenant's records share a
    /// partition, so their order here is the topic's. Records without a key, or whose key is not UTF-8 (no
    /// tenant id is), are left alone: compaction keeps nothing under a missing key.
    static func lastValues(_ records: [ConsumedRecord]) -> [ByteID: [UInt8]?] {
        var last: [ByteID: [UInt8]?] = [:]
        for record in records {
            guard let key = record.key, let tenant = String(validating: key, as: UTF8.self) else { continue }
            last[ByteID(tenant)] = .some(record.value)
        }
        return last
    }

    /// Whether `value` is a status of the same tenant at a lower version than `current`: an ordinary late record.
    static func isOlder(_ value: [UInt8]?, than current: OutputRecord) -> Bool {
        guard let value, let json = try? JSONParser.parse(value), case let .number(text)? = json["version"],
            let version = Int64(text), let now = try? JSONParser.parse(current.value),
            case let .number(currentText)? = now["version"], let currentVersion = Int64(currentText)
        else { return false }
        return version < currentVersion
    }
}
