import ArgumentParser
import LiveGateLocal

/// `livegate postgres …`: the private PostgreSQL of development, tests and the bench. `deploy/postgres.sh`,
/// `livegate dev` and the tests all go through `LocalPostgres`, so there is one way to start it.
struct PostgresCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "postgres",
        abstract: "The private PostgreSQL for development, tests and the bench (never for production).",
        discussion: """
            Port LIVEGATE_PG_PORT (default 54329), folder LIVEGATE_PG_DIR (default /tmp/livegate-pg-PORT), \
            programs LIVEGATE_PG_BIN (default the newest /usr/lib/postgresql/*/bin). Runs as the postgres user \
            under root. Trust authentication on 127.0.0.1 only; fsync on.
            """,
        subcommands: [Start.self, Stop.self, Status.self, URL.self])

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Initialise the folder on first use, start the server if it is stopped, print its URL.")

        func run() throws { print(try LocalPostgres.fromEnvironment().start()) }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the server if it runs.")

        @Option(help: "fast (clean) or immediate (as a crash; recovery at the next start).")
        var mode: LocalPostgres.StopMode = .fast

        func run() throws { try LocalPostgres.fromEnvironment().stop(mode) }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print running, stopped or not initialised; exit 0 when running, 1 otherwise.")

        func run() throws {
            let status = try LocalPostgres.fromEnvironment().status()
            print(status.rawValue)
            // 1 as every command says "not as asked" (pg_ctl's own 3 is not in livegate's table).
            if status != .running { throw ExitCode.difference }
        }
    }

    struct URL: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "url", abstract: "Print the server's URL.")

        func run() throws { print(try LocalPostgres.fromEnvironment().url) }
    }
}

extension LocalPostgres.StopMode: ExpressibleByArgument {}
