import ArgumentParser
import LiveGateCore
import LiveGateStore

struct History: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a tenant's audit trail, oldest first: when, who, what, state and ceiling before and after, "
            + "the reason, and the key that signed a decision.",
        discussion: "Exit 2 when PostgreSQL cannot be reached.")

    @Argument(help: "The tenant id.")
    var tenant: String

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "Print one JSON object instead of lines.")
    var json = false

    func run() throws {
        let history = try TenantHistory.load(tenant, url: try database.url())
        if json {
            print(JSONWriter.string(history.json))
            return
        }
        if history.entries.isEmpty { print("\(tenant): no history (never declared or decided)") }
        for e in history.entries {
            var line =
                "\(e.occurredAt)  \(e.action.padding(toLength: 11, withPad: " ", startingAt: 0)) "
                + "by \(e.actor ?? "?")  \(e.fromState) → \(e.toState)"
            if e.ceilingBefore != e.ceilingAfter, let after = e.ceilingAfter {
                line += "  ceiling \(e.ceilingBefore ?? "default") → \(after)"
            }
            if let reason = e.reason { line += "  reason: \(reason)" }
            if let kid = e.signingKid { line += "  signed: \(kid)" }
            print(line)
        }
    }
}
