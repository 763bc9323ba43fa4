import ArgumentParser
import LiveGateStore
import Postgres

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create or upgrade LiveGate's PostgreSQL schema. Safe to run again: applied migrations are skipped.",
        discussion: "Exit 2 when PostgreSQL cannot be reached or refuses a migration (nothing of that one is kept).")

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let connection = try PostgresConnection(url: try database.url())
        let applied = try Migrations.apply(on: connection)
        let latest = Migrations.all.last?.version ?? 0
        print(
            applied.isEmpty
                ? "schema is current (version \(latest))"
                : "applied migrations \(applied.map(String.init).joined(separator: ", ")); schema version \(latest)")
    }
}
