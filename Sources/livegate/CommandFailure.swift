import ArgumentParser

/// A command that cannot go on, said in one line and without the usage text (which would bury it). Its exit
/// status says which kind it is, as `livegate --help` lists them: `refused` (1) when the command ran and what
/// it was asked to do was refused, `runtime` (2) when something it depends on did not answer, `usage` (64)
/// when what it was given cannot work (a missing key set, an unreadable file, a variable that does not parse).
/// `LiveGate.main` prints it and exits.
struct CommandFailure: Error {
    let message: String
    let code: ExitCode

    static func refused(_ message: String) -> CommandFailure { CommandFailure(message: message, code: .difference) }
    static func runtime(_ message: String) -> CommandFailure { CommandFailure(message: message, code: .runtime) }
    static func usage(_ message: String) -> CommandFailure { CommandFailure(message: message, code: .usage) }
}

/// The exit statuses of every command (documented once, in `LiveGate`'s help).
extension ExitCode {
    /// 1: the command ran and found a difference (drift, a reconcile difference) or was refused (a rejected
    /// decision, live workers in the way).
    static let difference = ExitCode(1)
    /// 2: a runtime failure (cannot connect, timed out), said in one line.
    static let runtime = ExitCode(2)
    /// 64: bad usage (sysexits' EX_USAGE).
    static let usage = ExitCode(64)
}
