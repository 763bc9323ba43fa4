import Kafka
import LiveGateCore

/// Brings a cluster's topics in line with the contract's catalog: creates what is missing, then verifies
/// partition counts, replication factors and the configuration of everything (retention, cleanup policy,
/// timestamp type, `min.insync.replicas`, `max.message.bytes`), and reports each difference; with `fix`, it
/// alters configuration that differs (partitions and replication are never changed automatically).
public enum TopicProvisioner {
    public struct Report: Sendable {
        public var created: [String] = []
        public var matching: [String] = []
        /// Configuration values changed by `fix`, one line each.
        public var fixed: [String] = []
        /// Human-readable lines, one per problem; empty when the cluster matches the catalog.
        public var problems: [String] = []

        public var isClean: Bool { problems.isEmpty }
    }

    /// `timeoutMillis` bounds each request to the cluster.
    public static func apply(
        brokers: String, settings: KafkaSettings = KafkaSettings(),
        catalog: [TopicDefinition] = TopicCatalog.all,
        timeoutMillis: Int32 = 15_000, fix: Bool = false
    ) throws(KafkaError) -> Report {
        let admin = try TopicAdmin(brokers: brokers, settings: settings, timeoutMillis: timeoutMillis)
        var report = Report()
        let before = try admin.describe()
        let missing = catalog.filter { before[$0.name] == nil }
        if !missing.isEmpty {
            let failures: [String: KafkaError]
            do {
                failures = try admin.create(
                    missing.map {
                        TopicSpec(
                            name: $0.name, partitions: $0.partitions, replicationFactor: $0.replicationFactor,
                            config: $0.config)
                    })
            } catch {
                // E.g. a broker without the CreateTopics API (the embedded one): every missing topic failed.
                failures = Dictionary(uniqueKeysWithValues: missing.map { ($0.name, error) })
            }
            for topic in missing {
                if let failure = failures[topic.name] {
                    report.problems.append("\(topic.name): could not be created: \(failure)")
                } else {
                    report.created.append(topic.name)
                }
            }
        }
        let after = missing.isEmpty ? before : try admin.describe()
        for topic in catalog where !report.problems.contains(where: { $0.hasPrefix("\(topic.name):") }) {
            guard let state = after[topic.name] else {
                report.problems.append("\(topic.name): missing after creation")
                continue
            }
            report.problems += compare(topic, state).map { "\(topic.name): \($0)" }
        }
        checkConfiguration(catalog.filter { after[$0.name] != nil }, admin: admin, fix: fix, into: &report)
        report.matching = catalog.map(\.name).filter { name in
            after[name] != nil && !report.problems.contains { $0.hasPrefix("\(name):") }
        }
        return report
    }

    /// Compares each topic's configuration with the catalog and, with `fix`, replaces what differs (keeping
    /// every other override the topic has).
    static func checkConfiguration(_ topics: [TopicDefinition], admin: TopicAdmin, fix: Bool, into report: inout Report)
    {
        let configs: [String: [String: TopicConfigValue]]
        do {
            configs = try admin.describeConfigs(topics.map(\.name))
        } catch {
            report.problems.append(
                "configuration not verified (\(error)): retention, cleanup policy, timestamp type, "
                    + "min.insync.replicas and max.message.bytes are unchecked")
            return
        }
        for topic in topics {
            let current = configs[topic.name] ?? [:]
            let differences = configDifferences(topic, current.mapValues(\.value))
            guard !differences.isEmpty else { continue }
            guard fix else {
                report.problems += differences.map { "\(topic.name): \($0)" }
                continue
            }
            var overrides = current.filter(\.value.isTopicOverride).compactMapValues(\.value)
            overrides.merge(topic.config) { $1 }
            do {
                try admin.replaceConfig(of: topic.name, with: overrides)
                report.fixed += differences.map { "\(topic.name): \($0), now set" }
            } catch {
                report.problems.append("\(topic.name): could not alter its configuration: \(error)")
            }
        }
    }

    /// One line per catalog property whose value differs (`nil`: not reported by the cluster).
    static func configDifferences(_ topic: TopicDefinition, _ actual: [String: String?]) -> [String] {
        topic.config.sorted { $0.key < $1.key }.compactMap { key, expected in
            let value = actual[key] ?? nil
            return value == expected ? nil : "\(key) is \(value ?? "not set"), the contract says \(expected)"
        }
    }

    /// Partition counts must match exactly: keys map to partitions by count, so a different count moves
    /// tenants between partitions. Replication may exceed the definition but not fall short.
    static func compare(_ topic: TopicDefinition, _ state: TopicState) -> [String] {
        var differences: [String] = []
        if state.partitions != topic.partitions {
            differences.append("has \(state.partitions) partitions, the contract says \(topic.partitions)")
        }
        if state.replicationFactor < topic.replicationFactor {
            differences.append(
                "replication factor \(state.replicationFactor), the contract says \(topic.replicationFactor)")
        }
        return differences
    }
}
