import Foundation
import LiveGateCore
import Testing

/// Every option that configures a command reads an environment variable, named in its help, so that a
/// container or a cron job needs no flags. What one invocation asks for (a tenant, a topic, `--json`,
/// `--execute`) has none: those are listed here, by command, so that a new option must pick a side.
@Suite("Command options")
struct CommandOptionsTests {
    /// Options that say what this run should do rather than how the command is set up.
    static let perInvocation: [String: Set<String>] = [
        "livegate dev": ["demo", "exit-after-demo", "unsigned", "sign-decisions"],
        "livegate topics apply": ["fix"],
        "livegate status show": ["json"],
        "livegate status republish": ["tenant", "all"],
        "livegate history": ["json"],
        "livegate lag": ["json"],
        "livegate offsets reset": ["topic", "partition", "to-offset", "to-earliest", "to-latest", "execute", "json"],
        "livegate prune": ["dry-run"],
        "livegate run": ["stage-stamps"],  // the bench's, hidden
        "livegate replay": [
            "topic", "partition", "from-offset", "from-time", "to-offset", "to-time", "dry-run", "force",
        ],
        "livegate dead-letters list": ["since", "error", "topic", "json", "max"],
        "livegate bench": [
            "attempts", "tenants", "rate", "calls", "call-rate", "batch-of-one-attempts", "batch-max",
            "lanes", "json", "repeat", "closed-loop-only",
        ],
        "livegate postgres stop": ["mode"],
        "livegate keys generate": ["kid", "out"],
        "livegate decide": [
            "notes", "per-tx", "daily", "monthly", "disabled", "expires-at", "use-suggested-ceiling",
            "expected-version", "event-id",
        ],
        "livegate resolve": ["event-id"],
        "livegate simulate": ["per-tx", "daily", "monthly", "disabled", "enabled", "json"],
        "livegate queue": ["json"],
    ]

    /// (command path, option name, help) for every option and flag of every command, from ArgumentParser's
    /// own description of the tool (`--experimental-dump-help`), so nothing is missed by a hand-kept list.
    static func options() throws -> [(command: String, name: String, help: String)] {
        let outcome = try WorkerProcess.run(["--experimental-dump-help"])
        let tool = try JSONParser.parse(Array(outcome.output.utf8))
        var found: [(String, String, String)] = []
        func walk(_ command: JSONValue, _ path: String) {
            if case let .array(arguments)? = command["arguments"] {
                for argument in arguments where ["option", "flag"].contains(argument["kind"]?.stringValue ?? "") {
                    guard case let .array(names)? = argument["names"],
                        let name = names.compactMap({ $0["name"]?.stringValue }).max(by: { $0.count < $1.count }),
                        !["help", "version", "h"].contains(name)
                    else { continue }
                    found.append((path, name, argument["abstract"]?.stringValue ?? ""))
                }
            }
            if case let .array(subcommands)? = command["subcommands"] {
                for sub in subcommands { walk(sub, path + " " + (sub["commandName"]?.stringValue ?? "?")) }
            }
        }
        guard let root = tool["command"] else { throw CocoaError(.fileReadCorruptFile) }
        walk(root, "livegate")
        return found
    }

    @Test("every option that configures a command names its environment variable")
    func everyOptionHasAVariable() throws {
        let options = try Self.options()
        #expect(options.count > 80, "the walk found \(options.count) options")
        for option in options {
            let exempt = Self.perInvocation[option.command]?.contains(option.name) == true
            let named = option.help.contains("(env: LIVEGATE_")
            #expect(
                exempt != named,
                exempt
                    ? "\(option.command) --\(option.name) has a variable: remove it from perInvocation"
                    : "\(option.command) --\(option.name) has no (env: LIVEGATE_…) in its help: \(option.help)")
        }
    }

    @Test("the root help lists the exit codes")
    func rootHelpListsExitCodes() throws {
        let help = try WorkerProcess.run(["--help"]).output
        for line in ["0   done.", "1   it ran and found a difference", "2   a runtime failure", "64  bad usage"] {
            #expect(help.contains(line), "missing \(line)")
        }
    }
}
