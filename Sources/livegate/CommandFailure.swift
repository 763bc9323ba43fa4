import ArgumentParser

/// A command that cannot go on, said in one line and without the usage text (which would bury it):
/// `usage` (exit 64) when what it was given cannot work (a missing key set, an unreadable file), `runtime`
/// (exit 2) when something it depends on did not answer. `LiveGate.main` prints and exits.
struct CommandFailure: Error {
    let message: String
    let code: ExitCode

    static func usage(_ message: String) -> CommandFailure { CommandFailure(message: message, code: ExitCode(64)) }
    static func runtime(_ message: String) -> CommandFailure { CommandFailure(message: message, code: ExitCode(2)) }
}
