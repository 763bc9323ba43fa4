import ArgumentParser
import Foundation
import LiveGateCore
import LiveGateStore

/// `livegate status T` shows a tenant; `livegate status republish` restores the status topic.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a tenant's status (livegate status T), or put statuses back on the status topic.",
        subcommands: [Show.self, Republish.self], defaultSubcommand: Show.self)
}

extension Status {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a tenant's access state, effective ceiling, and usage and headroom for today and this "
                + "month (UTC).",
            discussion: "Exit 2 when PostgreSQL cannot be reached.")

        @Argument(help: "The tenant id.")
        var tenant: String

        @OptionGroup var database: DatabaseOptions

        @Flag(help: "Print one JSON object instead of a table.")
        var json = false

        func run() throws {
            let now = WallClock.now()
            let report = try TenantReport.load(tenant, at: now, url: try database.url())
            if json {
                print(JSONWriter.string(report.json))
                return
            }
            let c = report.ceiling
            print("tenant       \(report.tenant.tenantId)\(report.known ? "" : "  (never seen: sandbox only)")")
            print(
                "state        \(report.tenant.state.rawValue)  (live \(report.tenant.state.liveAllowed ? "allowed" : "not allowed"))"
            )
            print(
                "ceiling      "
                    + (c.disabled
                        ? "disabled (metered)"
                        : "$\(c.limits.perTx) per tx, $\(c.limits.daily) per day, "
                            + "$\(c.limits.monthly) per month") + "  (\(c.source.rawValue))")
            if let expiry = report.tenant.override.expiresAt {
                print(
                    "override     "
                        + (c.source == .override
                            ? "expires \(expiry)" : "expired \(expiry); the platform default applies"))
            }
            if let s = report.tenant.suggested {
                print(
                    "suggested    $\(s.perTx) per tx, $\(s.daily) per day, $\(s.monthly) per month  (from the declared volume)"
                )
            }
            print("version      \(report.tenant.version)  (give it as --expected-version to livegate decide)")
            for (name, window, used, limit) in [
                ("today", report.day, report.usedToday, c.limits.daily),
                ("this month", report.month, report.usedThisMonth, c.limits.monthly),
            ] {
                let headroom =
                    c.disabled ? "no limit" : "$\(report.remaining(limit: limit, used: used)) left of $\(limit)"
                print(
                    "\(name.padding(toLength: 12, withPad: " ", startingAt: 0)) $\(used) used, \(headroom)  "
                        + "(resets \(window.resetsAt))")
            }
        }
    }
}
