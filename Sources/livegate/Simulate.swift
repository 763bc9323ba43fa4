import ArgumentParser
import LiveGateCore
import LiveGateStore

/// `livegate simulate`: what a ceiling would have done to a tenant's retained history, before an admin sets it.
struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay a tenant's retained live attempts under a proposed ceiling; changes nothing.",
        discussion: """
            The live attempts decided while the tenant was approved (allowed, or denied by a ceiling), with their \
            resolutions, go in their original order through the workers' own rules under the proposed ceiling: \
            the tenant's current ceiling with the options given (an omitted option keeps the current value; \
            "default" means the platform default). It says how many attempts would be newly allowed or denied, \
            for how much, and the busiest day and month. It sees back to the oldest attempt `livegate prune` kept \
            (--keep-days). Exit 0 when done, 1 when the tenant was never approved, 2 when PostgreSQL cannot be \
            reached.
            """)

    @Argument(help: "The tenant id.")
    var tenant: String

    @Option(name: .customLong("per-tx"), help: "Proposed per-transaction limit in dollars, or \"default\".")
    var perTx: String?

    @Option(help: "Proposed daily limit in dollars, or \"default\".")
    var daily: String?

    @Option(help: "Proposed monthly limit in dollars, or \"default\".")
    var monthly: String?

    @Flag(help: "Propose the ceiling lifted (spending still metered).")
    var disabled = false

    @Flag(help: "Propose the ceiling enforced.")
    var enabled = false

    @Flag(help: "Print one JSON object instead of lines.")
    var json = false

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard InputDecoder.usableId(.string(tenant)) != nil else {
            throw ValidationError("TENANT must be 1 to 128 characters.")
        }
        for (name, value) in [("--per-tx", perTx), ("--daily", daily), ("--monthly", monthly)] {
            if let value, Self.change(value) == nil {
                throw ValidationError("\(name) must be a positive amount in dollars, e.g. 250.00, or default.")
            }
        }
        if disabled && enabled { throw ValidationError("--disabled and --enabled propose opposite things.") }
    }

    /// "default" is the platform default (`null` in the HTTP body); anything else must be an amount.
    static func change(_ value: String?) -> LimitChange? {
        guard let value else { return .keep }
        if value == "default" { return .platformDefault }
        return Micros(parsing: value).map(LimitChange.set)
    }

    var proposal: CeilingProposal {
        CeilingProposal(
            perTx: Self.change(perTx) ?? .keep, daily: Self.change(daily) ?? .keep,
            monthly: Self.change(monthly) ?? .keep, disabled: disabled ? true : enabled ? false : nil)
    }

    func run() throws {
        let connection = try LedgerStore.connect(try database.url())
        guard case let .history(history) = try SimulationHistory.load(tenant, on: connection) else {
            throw CommandFailure.refused(
                "\(tenant) was never approved: it has no live attempt a ceiling decided, so nothing to replay.")
        }
        let report = CeilingSimulation.run(history, proposal: proposal, rules: .standard)
        if json {
            print(JSONWriter.string(report.json))
        } else {
            for line in Self.lines(report) { print(line) }
        }
    }

    static func lines(_ r: SimulationReport) -> [String] {
        func ceiling(_ c: EffectiveCeiling) -> String {
            (c.disabled
                ? "disabled (metered)"
                : "$\(c.limits.perTx) per tx, $\(c.limits.daily) per day, $\(c.limits.monthly) per month")
                + "  (\(c.source.rawValue))"
        }
        func examples(_ ids: [String]) -> String { ids.isEmpty ? "" : "  e.g. " + ids.joined(separator: ", ") }
        func peak(_ p: SimulationReport.Peak) -> String {
            p.window.map { "$\(p.used) in the one starting \($0.start)" } ?? "nothing allowed"
        }
        var lines = [
            "tenant         \(r.tenantId): \(r.attempts) live attempts replayed"
                + (r.from.map { " from \($0) to \(r.to ?? $0)" } ?? ""),
            "history        attempts before `from` are gone (livegate prune --keep-days)"
                + (r.horizon.keptFrom.map { "; usage windows before \($0) too" } ?? ""),
        ]
        if r.horizon.truncated {
            lines.append("               only the newest \(r.horizon.maxAttempts) attempts were replayed")
        }
        lines += [
            "ceiling now    " + ceiling(r.current),
            "proposed       " + ceiling(r.proposed),
            "allowed        \(r.allowedThen) then, \(r.allowedNow) under the proposal",
            "newly allowed  \(r.newlyAllowedCount) attempts, $\(r.newlyAllowedAmount)" + examples(r.newlyAllowed),
            "newly denied   \(r.newlyDeniedCount) attempts, $\(r.newlyDeniedAmount)"
                + (r.firstNewDenialAt.map { ", the first at \($0)" } ?? "") + examples(r.newlyDenied),
            "busiest day    " + peak(r.peakDaily),
            "busiest month  " + peak(r.peakMonthly),
            "Nothing was changed or published.",
        ]
        return lines
    }
}
