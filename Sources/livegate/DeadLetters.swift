import ArgumentParser
import Foundation
import LiveGateCore
import LiveGatePipeline

/// `livegate dead-letters list`: what the workers could not answer, without reading JSON by hand.
struct DeadLetters: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead-letters", abstract: "Inspect the dead-letter topic.", subcommands: [List.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List dead letters: where each input was, why it was refused, whose it was, its size and "
                + "time.",
            discussion: """
                Reads \(Topics.deadLetter) from its first retained record (30 days) to its end as of now, outside \
                any consumer group, so workers are not disturbed. One line per dead letter (one JSON object per \
                line with --json), oldest first within each partition, then a count by error (on stderr with \
                --json). Values are never printed: read the dead letter at the offset shown for them. Exit 2 when \
                Kafka cannot be reached.
                """)

        @OptionGroup var broker: BrokerOptions

        @Option(help: ArgumentHelp("Only dead letters published at or after this RFC 3339 time.", valueName: "time"))
        var since: String?

        @Option(help: ArgumentHelp("Only this error: \(Self.codes).", valueName: "code"))
        var error: String?

        @Option(
            help: ArgumentHelp(
                "Only inputs from this topic, e.g. \(Topics.transactionAttempt).",
                valueName: "topic"))
        var topic: String?

        @Flag(help: "One JSON object per line; the count by error goes to stderr.")
        var json = false

        /// Default 1000: the count by error still covers every match.
        @Option(
            help: ArgumentHelp(
                "Most dead letters listed, 1–100000 (default 1000); the count covers all.",
                valueName: "n"))
        var max = 1_000

        func validate() throws {
            if let since, RFC3339.parse(since) == nil { throw ValidationError("--since must be an RFC 3339 time.") }
            if let error, DeadLetterError(rawValue: error) == nil {
                throw ValidationError("--error must be one of \(Self.codes).")
            }
            guard (1...100_000).contains(max) else { throw ValidationError("--max must be 1 to 100000.") }
        }

        /// Every dead-letter error code, for the help and the refusal.
        static var codes: String { DeadLetterError.allCases.map(\.rawValue).joined(separator: ", ") }

        func run() throws {
            let filter = DeadLetterFilter(since: since.flatMap(RFC3339.parse), error: error, sourceTopic: topic)
            var listed = 0
            let counts = try broker.reaching { servers, settings in
                try DeadLetterReader(brokers: servers, settings: settings).read(filter) { entry in
                    guard listed < max else { return }
                    listed += 1
                    print(json ? JSONWriter.string(entry.json) : entry.line)
                }
            }
            let summary = Self.summary(counts, listed: listed)
            if json {
                FileHandle.standardError.write(Data((summary + "\n").utf8))
            } else {
                print(summary)
            }
        }

        /// "3 dead letters: invalid_json 2, apply_failed 1", most frequent first, and what --max left out.
        static func summary(_ counts: [String: Int], listed: Int) -> String {
            let total = counts.values.reduce(0, +)
            let byError = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            var text = "\(total) dead letter\(total == 1 ? "" : "s")" + (byError.isEmpty ? "" : ": \(byError)")
            if listed < total { text += " (\(total - listed) not listed: raise --max)" }
            return text
        }
    }
}
