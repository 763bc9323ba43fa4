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
/// carries another version than PostgreSQL's row (older, or from v1.2 newer: forged), publishes the current
/// status after it. A correction that itself lands
/// before a newer status is read and corrected in turn, so the topic settles on the current version within
/// a few polls of the last late record.
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
                logger.warning("status guard failed; retrying", metadata: ["error": "\(error)", "attempt": "\(attempt)"])
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
        let consumer = try KafkaConsumer(brokers: configuration.brokers, group: group, topics: [Topics.tenantStatus],
                                         settings: settings, logger: KafkaLogBridge(logger: logger))
        defer { consumer.close() }
        let producer = try configuration.makeProducer()
        while !stop.isRequested {
            let records = try consumer.poll(maxRecords: Self.maxRecords, maxWaitMillis: Self.maxWaitMillis)
            guard !records.isEmpty else { continue }
            let corrections = try self.corrections(for: records, store: store)
            if !corrections.isEmpty {
                try producer.send(corrections.map(BatchPlan.producerRecord))
                logger.notice("republished current statuses after older ones", metadata: ["tenants": "\(corrections.count)"])
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

    /// The current status of every tenant whose last record in `records` differs in version from its stored
    /// row. Older: a late publisher. Newer (contract v1.2): a forged or foreign record, or a database that lost
    /// commits in a failover; either way PostgreSQL is what LiveGate decides by, so its state goes last on the
    /// topic. A tenant PostgreSQL has never seen is `sandbox_only` at version 0.
    func corrections(for records: [ConsumedRecord], store: LedgerStore) throws -> [OutputRecord] {
        let seen = Self.lastVersions(records)
        guard !seen.isEmpty else { return [] }
        let stored = try store.currentTenants(seen.map(\.key.text))
        var corrections: [OutputRecord] = []
        for (id, version) in seen {
            let tenant = stored[id] ?? TenantRecord(tenantId: id.text)
            guard tenant.version != version else { continue }
            if tenant.version < version {
                logger.error("a published status is newer than the database; publishing the stored one after it", metadata: [
                    "tenant": "\(id)", "published_version": "\(version)", "stored_version": "\(tenant.version)",
                ])
            }
            corrections.append(TenantStatus.record(tenant, rules: configuration.rules))
        }
        return corrections
    }

    /// The version of the last status record of each tenant in `records` (a tenant's records share a
    /// partition, so their order here is the topic's). Records that do not parse are skipped.
    static func lastVersions(_ records: [ConsumedRecord]) -> [ByteID: Int64] {
        var last: [ByteID: Int64] = [:]
        for record in records {
            guard let value = record.value, let json = try? JSONParser.parse(value),
                  let tenant = json["tenant_id"]?.stringValue, case let .number(text)? = json["version"],
                  let version = Int64(text)
            else { continue }
            last[ByteID(tenant)] = version
        }
        return last
    }
}
