import Kafka
import LiveGateCore
import LiveGateStore

/// Puts tenants' current status from PostgreSQL back on `sly.tenant-status.v1`, for when the compacted topic
/// lost records or was recreated: its readers gate live money on it and would otherwise see a tenant as
/// never decided until its next change. Each record is the one a worker publishes after a change
/// (`TenantStatus.record`), so republishing is safe at any time: a reader keeps the highest `version`, and
/// this one is the current version. A worker's status guard corrects anything published after it.
public struct StatusRepublisher {
    public enum Selection: Sendable {
        /// These tenants; each must be stored (a tenant never seen has no status to restore).
        case tenants([String])
        /// Every stored tenant, a page at a time.
        case all
    }

    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// Tenants PostgreSQL has never seen: nothing was published for them.
        case unknownTenants([String])

        public var description: String {
            switch self {
            case let .unknownTenants(ids):
                let shown = ids.prefix(10).joined(separator: ", ") + (ids.count > 10 ? ", …" : "")
                return "no stored tenant \(shown): nothing to republish for \(ids.count == 1 ? "it" : "them")"
            }
        }
    }

    /// Most tenants named at once with `.tenants`.
    public static let maxNamedTenants = 1_000

    let brokers: String
    let databaseURL: String
    let settings: KafkaSettings
    let rules: Rules
    let pageSize: Int

    public init(
        brokers: String, databaseURL: String, settings: KafkaSettings, rules: Rules = .standard,
        pageSize: Int = 1_000
    ) {
        precondition((1...LedgerStore.maxTenantPage).contains(pageSize), "a page is 1 to 5000 tenants")
        self.brokers = brokers
        self.databaseURL = databaseURL
        self.settings = settings
        self.rules = rules
        self.pageSize = pageSize
    }

    /// Publishes the status of every selected tenant, each acknowledged by the brokers (`acks=all`) before the
    /// next page is read; `progress` hears the running count. Returns how many were published. Named tenants
    /// are all checked first: when one is unknown, nothing is published.
    @discardableResult
    public func run(_ selection: Selection, progress: (Int) -> Void = { _ in }) throws -> Int {
        let store = try LedgerStore(url: databaseURL, rules: rules)
        let producer = try KafkaProducer(
            brokers: brokers,
            settings: WorkerConfiguration.producerDefaults.merging(settings))
        switch selection {
        case let .tenants(ids):
            precondition(ids.count <= Self.maxNamedTenants, "at most \(Self.maxNamedTenants) tenants at once")
            let stored = try store.currentTenants(ids)
            let unknown = ids.filter { stored[ByteID($0)] == nil }
            guard unknown.isEmpty else { throw Failure.unknownTenants(unknown) }
            let tenants = ids.compactMap { stored[ByteID($0)] }
            try publish(tenants, with: producer)
            progress(tenants.count)
            return tenants.count
        case .all:
            var count = 0
            var after: String?
            while true {
                let page = try store.tenantPage(after: after, limit: pageSize)
                guard let last = page.last else { return count }
                try publish(page, with: producer)
                count += page.count
                progress(count)
                after = last.tenantId
            }
        }
    }

    private func publish(_ tenants: [TenantRecord], with producer: KafkaProducer) throws {
        guard !tenants.isEmpty else { return }
        try producer.send(tenants.map { BatchPlan.producerRecord(TenantStatus.record($0, rules: rules)) })
    }
}
