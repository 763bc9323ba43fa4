import ArgumentParser
import LiveGateCore
import LiveGateStore
import Postgres

/// `livegate queue`: the declarations waiting for a decision, oldest first, with when each is due.
struct QueueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "List the tenants waiting for a review decision (declaration_pending), oldest declaration first.",
        discussion: """
            due_at is --review-sla-days business days (Monday to Friday, UTC, less the --holidays dates) after \
            the declaration; one made on a weekend or holiday counts from 00:00 UTC of the next business day. \
            overdue is true after due_at. The table shows the owner's contact: it is personal data, for the \
            reviewers. --json prints the array GET /v1/review-queue answers. Exit 2 when PostgreSQL cannot be \
            reached, 64 when the holidays file has a bad line.
            """)

    static let maxSetting = IntegerSetting(
        option: "--max", variable: "LIVEGATE_REVIEW_QUEUE_MAX", range: ReviewQueue.maxRange,
        fallback: ReviewQueue.defaultMax)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var review: ReviewQueueOptions

    /// Default 1000.
    @Option(
        help: ArgumentHelp(
            "The most declarations listed, oldest first: " + QueueCommand.maxSetting.help, valueName: "n"))
    var max: Int?

    @Flag(help: "Print the JSON array instead of a table.")
    var json = false

    func validate() throws { try Self.maxSetting.check(max) }

    func run() throws {
        let settings = try review.settings(max: try Self.maxSetting.value(max))
        let url = try database.url()
        let now = WallClock.now()
        let page = try PendingDeclarations.load(limit: settings.max, on: try LedgerStore.connect(url))
        let queue = ReviewQueue(page.oldest, settings: settings, now: now)
        if json {
            print(JSONWriter.string(queue.json))
            return
        }
        print(Self.table(queue, total: page.total))
    }

    /// One line a tenant, then a summary line.
    static func table(_ queue: ReviewQueue, total: Int) -> String {
        let header = ["TENANT", "DECLARED", "DUE", "WAITING", "OVERDUE", "OWNER", "USE CASE"]
        let rows = queue.entries.map { entry -> [String] in
            let d = entry.declaration
            let owner = [d.ownerName, d.ownerEmail.map { "<\($0)>" }].compactMap { $0 }.joined(separator: " ")
            return [
                d.tenantId, d.declaredAt.description, entry.dueAt.description, "\(entry.businessDaysWaiting)d",
                entry.overdue ? "yes" : "no", owner.isEmpty ? "-" : owner,
                String((d.intendedUseCase ?? "-").prefix(60)),
            ]
        }
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                i == cells.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        let shown = queue.entries.count < total ? " (the oldest \(queue.entries.count) shown)" : ""
        let summary =
            "\(total) pending, \(queue.overdueCount) overdue\(shown); due \(queue.settings.slaDays) business days "
            + "after the declaration"
        return ([line(header)] + rows.map(line) + [summary]).joined(separator: "\n")
    }
}
