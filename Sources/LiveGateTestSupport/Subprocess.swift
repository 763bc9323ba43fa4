import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a helper program to completion with posix_spawn and waitpid. Foundation's `Process` is not used
/// for this: with several children alive, its exit monitoring can miss one (a zombie nobody waits for),
/// and a test that waits on it never returns.
public enum Subprocess {
    /// Runs `path` with `arguments` and extra `environment`, output discarded; returns its exit status.
    @discardableResult
    public static func run(_ path: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Int32 {
        let pid = try spawn(path, arguments, environment: environment, output: "/dev/null")
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return (status >> 8) & 0xFF
    }

    /// Starts `path` with stdout and stderr appended to `output`; returns its pid. `removing` environment
    /// variables are left out of what it inherits.
    public static func spawn(_ path: String, _ arguments: [String], environment: [String: String] = [:],
                             removing: [String] = [], output: String) throws -> pid_t {
        var env = ProcessInfo.processInfo.environment
        for key in removing { env.removeValue(forKey: key) }
        for (key, value) in environment { env[key] = value }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EINVAL) }
        return pid
    }

    /// Waits up to `seconds` for `pid` to exit; its exit status (128 + signal if killed), or nil if it still runs.
    public static func wait(_ pid: pid_t, seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid {
                let signal = status & 0x7F
                return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
            }
            if r == -1 && errno != EINTR { return -1 }
            if Date() >= deadline { return nil }
            usleep(20_000)
        }
    }

    /// `deploy/<name>` of this repository.
    public static func deployScript(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("deploy/\(name)").path
    }
}
