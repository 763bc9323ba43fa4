import ArgumentParser
import Kafka
import LiveGateCore
import LiveGateOps
import LiveGatePipeline

struct Lag: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the workers' group position on the input topics: committed offset, end and lag per partition.",
        discussion: "Exit 2 when Kafka cannot be reached.")

    @OptionGroup var broker: BrokerOptions
    @OptionGroup var group: GroupOptions

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func run() throws {
        let offsets = try broker.reaching { servers, settings in
            try GroupOffsets.read(brokers: servers, group: group.name, settings: settings)
        }
        if json {
            print(JSONWriter.string(offsets.json))
            return
        }
        print("group \(offsets.group)")
        for row in offsets.rows {
            let topic = row.partition.topic.padding(toLength: 30, withPad: " ", startingAt: 0)
            print(
                "\(topic) \(String(row.partition.partition).leftPadded(3))  committed \((row.committed.map(String.init) ?? "none").leftPadded(10))"
                    + "  end \(String(row.end).leftPadded(10))  lag \(String(row.lag).leftPadded(8))")
        }
        print("total lag \(offsets.rows.reduce(0) { $0 + $1.lag })")
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
