import ArgumentParser
import LiveGatePipeline
import Logging
import Redaction

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

@main
struct LiveGate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "livegate",
        abstract: "Gates live money movement: production access and beta ceilings for Sly tenants.",
        discussion: """
            Exit status, the same for every command:
              0   done.
              1   it ran and found a difference, or was refused: topics unlike the contract (topics apply), \
            counters unlike the verdicts (reconcile), a rejected decision or resolution (decide, resolve), live \
            workers in the way (offsets reset, replay), a tenant never seen (status republish), a tenant never \
            approved (simulate), a server that is not running (postgres status).
              2   a runtime failure: PostgreSQL or Kafka did not answer, no verdict came in time. One line on \
            stderr says what and where, without the usage text.
              64  bad usage: an option or environment variable that is missing or does not parse, a file that \
            cannot be used.

            Every option that configures a command also reads an environment variable (LIVEGATE_…, named in its \
            help with its default): the command line wins, then the variable, then the default. A variable that \
            does not parse is refused, never ignored.
            """,
        version: LiveGateVersion.current,
        subcommands: [
            Dev.self, Run.self, Migrate.self, TopicsCommand.self, Status.self, History.self, Lag.self,
            Offsets.self, Serve.self, Reconcile.self, Prune.self, Replay.self, DeadLetters.self, BenchCommand.self,
            PostgresCommand.self, Keys.self, Decide.self, Resolve.self, Simulate.self, QueueCommand.self,
        ])

    /// ArgumentParser's own entry point, split in two. Parsing (and each command's `validate()`) ends as
    /// ArgumentParser ends it: the usage text with exit 64, or the help. Running ends as `CommandFailure` says:
    /// one line and the exit status of its kind, whatever was thrown. Standard output is flushed line by line
    /// even when it is not a terminal (a log file, a container, CI), so what `dev` prints for people, its
    /// banner first, appears while it runs instead of sitting in a 4 KiB buffer.
    static func main() async {
        setvbuf(stdout, nil, _IOLBF, 0)  // before anything is printed, on the main thread
        // Secrets given to the tool (a database password, a SASL password) never reach a log line or an error.
        let json = JSONLogHandler.requested(CommandLine.arguments)
        LoggingSystem.bootstrap { label in
            RedactingLogHandler(json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label))
        }
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            finish(parsing: error)
        }
        do {
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            finish(running: error)
        }
    }

    /// Ends as ArgumentParser would: usage mistakes with the usage text (64), `--help` and `--version` (0).
    static func finish(parsing error: any Error) -> Never {
        if let failure = error as? CommandFailure { finish(failure) }
        let code = exitCode(for: error)
        let message = Redaction.redact(fullMessage(for: error))
        if !message.isEmpty { fputs(message + "\n", code == .success ? stdout : stderr) }
        Glibc.exit(code.rawValue)
    }

    /// Ends a command that ran: an `ExitCode` as it is (the command has said what it found), anything else as
    /// `CommandFailure` says, in one line.
    static func finish(running error: any Error) -> Never {
        if let code = error as? ExitCode { Glibc.exit(code.rawValue) }
        // `--help`, `help` and `--version` parse into ArgumentParser's own command, whose run() throws its
        // (internal) request: the only errors it ends with success.
        if error is CleanExit || exitCode(for: error) == .success { finish(parsing: error) }
        finish(CommandFailure(error, kafka: BrokerOptions.lastServers.withLock { $0 }))
    }

    static func finish(_ failure: CommandFailure) -> Never {
        let line = failure.message.split(whereSeparator: \.isNewline).map { $0.drop(while: \.isWhitespace) }
            .joined(separator: " ")
        fputs("Error: " + Redaction.redact(line) + "\n", stderr)
        Glibc.exit(failure.code.rawValue)
    }
}
