import ArgumentParser
import LiveGatePipeline

struct TopicsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics", abstract: "Manage the contract's Kafka topics.", subcommands: [Apply.self])

    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create missing topics from the built-in definitions and verify the existing ones.",
            discussion: "Exits 0 when every topic exists as defined, 1 and one line per difference otherwise.")

        @OptionGroup var broker: BrokerOptions

        func run() throws {
            let report = try TopicProvisioner.apply(brokers: try broker.servers(), settings: try broker.settings())
            for name in report.created { print("created  \(name)") }
            for name in report.matching where !report.created.contains(name) { print("ok       \(name)") }
            for problem in report.problems { print("DIFFERS  \(problem)") }
            if !report.isClean { throw ExitCode(1) }
        }
    }
}
