import Foundation
import Kafka
import LiveGateCore
import LiveGateTestSupport
import Testing

@testable import LiveGateOps
@testable import LiveGatePipeline

extension PipelineTests {
    @Suite("Topic provisioning against the embedded broker")
    struct TopicProvisionerTests {
        @Test("a cluster that matches the catalog is clean")
        func clean() throws {
            let h = try PipelineHarness(brokers: 3)
            let report = try TopicProvisioner.apply(brokers: h.broker.bootstrapServers, timeoutMillis: 3000)
            // The embedded broker has no DescribeConfigs API (the request times out): that one gap is reported,
            // and nothing else.
            #expect(
                report.problems.count == 1 && report.problems[0].hasPrefix("configuration not verified"),
                "\(report.problems)")
            #expect(report.matching.count == TopicCatalog.all.count)
            h.database.drop()
        }

        @Test("wrong partition counts and replication factors are reported, one line each")
        func differences() throws {
            let broker = try EmbeddedBroker(brokers: 1)
            for topic in TopicCatalog.all where topic.name != Topics.deadLetter {
                try broker.createTopic(
                    topic.name, partitions: topic.name == Topics.decision ? 4 : topic.partitions,
                    replicationFactor: 1)
            }
            let report = try TopicProvisioner.apply(brokers: broker.bootstrapServers, timeoutMillis: 2000)
            #expect(!report.isClean)
            #expect(report.problems.contains("sly.decision.v1: has 4 partitions, the contract says 12"))
            #expect(report.problems.contains { $0.hasPrefix("sly.access-verdict.v1: replication factor 1") })
            // The mock cluster cannot create topics (no CreateTopics API): that is reported, not hidden.
            #expect(report.problems.contains { $0.hasPrefix("sly.dead-letter.v1:") })
        }

        @Test("configuration differences: one line per property, named with both values")
        func configDifferences() throws {
            let attempts = try #require(TopicCatalog.all.first { $0.name == Topics.transactionAttempt })
            var actual: [String: String?] = attempts.config.mapValues { $0 }
            #expect(TopicProvisioner.configDifferences(attempts, actual).isEmpty)
            actual["message.timestamp.type"] = "CreateTime"
            actual["retention.ms"] = nil
            actual["segment.bytes"] = "1000"  // not the contract's concern
            #expect(
                TopicProvisioner.configDifferences(attempts, actual) == [
                    "message.timestamp.type is CreateTime, the contract says LogAppendTime",
                    "retention.ms is not set, the contract says 604800000",
                ])
        }
    }
}
