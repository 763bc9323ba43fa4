import Kafka
import LiveGateCore

/// Brings a cluster's topics in line with the contract's catalog: creates what is missing, then verifies
/// partition counts and replication factors of everything, and reports each difference.
public enum TopicProvisioner {
    public struct Report: Sendable {
        public var created: [String] = []
        public var matching: [String] = []
        /// Human-readable lines, one per problem; empty when the cluster matches the catalog.
        public var problems: [String] = []

        public var isClean: Bool { problems.isEmpty }
    }

    /// `timeoutMillis` bounds each request to the cluster.
    public static func apply(brokers: String, settings: KafkaSettings = KafkaSettings(),
                             catalog: [TopicDefinition] = TopicCatalog.all,
                             timeoutMillis: Int32 = 15_000) throws(KafkaError) -> Report {
        let admin = try TopicAdmin(brokers: brokers, settings: settings, timeoutMillis: timeoutMillis)
        var report = Report()
        let before = try admin.describe()
        let missing = catalog.filter { before[$0.name] == nil }
        if !missing.isEmpty {
            let failures: [String: KafkaError]
            do {
                failures = try admin.create(missing.map {
                    TopicSpec(name: $0.name, partitions: $0.partitions, replicationFactor: $0.replicationFactor,
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
            let differences = compare(topic, state)
            if differences.isEmpty { report.matching.append(topic.name) }
            report.problems += differences.map { "\(topic.name): \($0)" }
        }
        return report
    }

    /// Partition counts must match exactly: keys map to partitions by count, so a different count moves
    /// tenants between partitions. Replication may exceed the definition but not fall short.
    static func compare(_ topic: TopicDefinition, _ state: TopicState) -> [String] {
        var differences: [String] = []
        if state.partitions != topic.partitions {
            differences.append("has \(state.partitions) partitions, the contract says \(topic.partitions)")
        }
        if state.replicationFactor < topic.replicationFactor {
            differences.append("replication factor \(state.replicationFactor), the contract says \(topic.replicationFactor)")
        }
        return differences
    }
}
