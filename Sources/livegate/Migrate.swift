import ArgumentParser
import LiveGateStore
import Postgres

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create or upgrade LiveGate's PostgreSQL schema. Safe to run again: applied migrations are skipped.")

    @Option(name: .long, help: ArgumentHelp(
        "PostgreSQL URL, e.g. postgresql://user@127.0.0.1:5432/livegate (env: LIVEGATE_DATABASE_URL).",
        valueName: "url"))
    var databaseURL: String?

    func run() throws {
        guard let url = databaseURL ?? Env.get("LIVEGATE_DATABASE_URL") else {
            throw ValidationError("Give --database-url or set LIVEGATE_DATABASE_URL.")
        }
        let connection = try PostgresConnection(url: url)
        let applied = try Migrations.apply(on: connection)
        let latest = Migrations.all.last?.version ?? 0
        print(applied.isEmpty ? "schema is current (version \(latest))"
              : "applied migrations \(applied.map(String.init).joined(separator: ", ")); schema version \(latest)")
    }
}
