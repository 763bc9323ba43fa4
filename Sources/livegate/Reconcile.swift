import ArgumentParser
import LiveGateStore

struct Reconcile: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recompute usage from the recorded verdicts and compare it with the counters and the ceilings.",
        discussion: """
            Prints every difference and exits 1 if there is any; exits 0 when everything agrees, 2 when \
            PostgreSQL cannot be reached.
            """)

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let report = try Reconciler.run(url: try database.url())
        print(
            "reconcile: \(report.tenants) tenants, \(report.bookings) bookings totalling $\(report.bookedTotal), "
                + "\(report.releases) releases totalling $\(report.releasedTotal), \(report.windows) usage windows")
        if let keptFrom = report.keptFrom {
            print("reconcile: windows from \(keptFrom) on (livegate prune removed earlier ones)")
        }
        for line in report.differences { print("DIFFERS  \(line)") }
        print(report.isClean ? "reconcile: clean" : "reconcile: \(report.differences.count) differences")
        if !report.isClean { throw ExitCode.difference }
    }
}
