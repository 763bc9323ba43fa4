import ArgumentParser
import LiveGateOps
import LiveGatePipeline

struct TopicsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics", abstract: "Manage the contract's Kafka topics.", subcommands: [Apply.self])

    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create missing topics from the built-in definitions and verify the existing ones.",
            discussion: """
                Compares partitions, replication and configuration (retention, cleanup policy, timestamp type, \
                min.insync.replicas, max.message.bytes). Exits 0 when every topic exists as defined, 1 and one \
                line per difference otherwise, 2 when Kafka cannot be reached. --fix alters configuration that \
                differs; partition counts and \
                replication are never changed for you (a new partition count moves tenants between partitions).
                """)

        @OptionGroup var broker: BrokerOptions

        @Flag(help: "Alter topic configuration that differs from the contract's.")
        var fix = false

        func run() throws {
            let report = try broker.reaching { servers, settings in
                try TopicProvisioner.apply(brokers: servers, settings: settings, fix: fix)
            }
            for name in report.created { print("created  \(name)") }
            for line in report.fixed { print("fixed    \(line)") }
            for name in report.matching where !report.created.contains(name) { print("ok       \(name)") }
            for problem in report.problems { print("DIFFERS  \(problem)") }
            if !report.isClean { throw ExitCode.difference }
        }
    }
}
