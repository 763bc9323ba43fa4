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
        version: LiveGateVersion.current,
        subcommands: [Dev.self, Run.self, Migrate.self, TopicsCommand.self, Status.self, History.self, Lag.self, Offsets.self, Serve.self, Reconcile.self, Prune.self, Replay.self,
                      BenchCommand.self, PostgresCommand.self, Keys.self, Decide.self, Resolve.self])

    /// ArgumentParser's own entry point, after one change: standard output is flushed line by line even when
    /// it is not a terminal (a log file, a container, CI), so what `dev` prints for people, its banner first,
    /// appears while it runs instead of sitting in a 4 KiB buffer.
    static func main() async {
        setvbuf(stdout, nil, _IOLBF, 0)  // before anything is printed, on the main thread
        // Secrets given to the tool (a database password, a SASL password) never reach a log line or an error.
        let json = JSONLogHandler.requested(CommandLine.arguments)
        LoggingSystem.bootstrap { label in
            RedactingLogHandler(json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label))
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as CommandFailure {
            fputs("Error: " + Redaction.redact(failure.message) + "\n", stderr)
            Glibc.exit(failure.code.rawValue)
        } catch {
            let code = exitCode(for: error)
            let message = Redaction.redact(fullMessage(for: error))
            if !message.isEmpty { fputs(message + "\n", code == .success ? stdout : stderr) }
            Glibc.exit(code.rawValue)
        }
    }
}
