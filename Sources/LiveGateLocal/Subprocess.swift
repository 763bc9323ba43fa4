import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Child processes with posix_spawn and waitpid, every wait bounded. Foundation's `Process` is not used: its
/// exit monitoring can miss a child (seen with `runuser pg_ctl start`, whose server outlives it), leaving a
/// zombie nobody reaps and a caller that never returns.
public enum Subprocess {
    /// How a bounded run ended.
    public struct Outcome: Sendable {
        /// The exit status, or 128 + the signal that ended it.
        public let status: Int32
        /// Standard output and standard error together, as the program wrote them.
        public let output: String
    }

    /// A program that did not finish within its bound; its process group was killed and reaped.
    public struct TimedOut: Error, CustomStringConvertible {
        public let program: String
        public let seconds: Double
        public let output: String
        public var description: String {
            "\(program) did not finish within \(Int(seconds)) s and was killed"
                + Subprocess.tail(output, label: "its output")
        }
    }

    /// The most output `run` keeps by default: far more than any program it runs writes, and a bound on what a
    /// runaway one costs.
    public static let defaultMaxOutputBytes = 4 << 20

    /// Runs `path` to completion, at most `timeoutSeconds`. The child leads its own process group, so a timeout
    /// kills whatever it started in that group too (daemons that start their own session, such as a
    /// PostgreSQL server, are not in it and live on). Output is collected through a file, not a pipe: a daemon
    /// that inherits a pipe keeps it open, and a reader waiting for its end would wait forever. Of the output,
    /// the last `maxOutputBytes` are kept (where a failure says why).
    public static func run(
        _ path: String, _ arguments: [String], environment: [String: String] = [:],
        timeoutSeconds: Double, maxOutputBytes: Int = defaultMaxOutputBytes
    ) throws -> Outcome {
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("livegate-child-\(UUID().uuidString).log").path
        defer { unlink(outputPath) }
        let pid = try spawn(path, arguments, environment: environment, output: outputPath, ownProcessGroup: true)
        let status = wait(pid, seconds: timeoutSeconds)
        let output = lastBytes(of: outputPath, max: maxOutputBytes)
        guard let status else {
            kill(-pid, SIGKILL)
            _ = wait(pid, seconds: 10)
            throw TimedOut(
                program: URL(fileURLWithPath: path).lastPathComponent, seconds: timeoutSeconds, output: output)
        }
        return Outcome(status: status, output: output)
    }

    /// The last `max` bytes of the file at `path` as text ("" when it cannot be read), never more in memory.
    static func lastBytes(of path: String, max: Int) -> String {
        guard let file = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? file.close() }
        let size = (try? file.seekToEnd()) ?? 0
        try? file.seek(toOffset: size > UInt64(max) ? size - UInt64(max) : 0)
        return String(decoding: (try? file.read(upToCount: max)) ?? Data(), as: UTF8.self)
    }

    /// Starts `path` with stdout and stderr appended to `output` (shared with this process when nil) and stdin
    /// from /dev/null; returns its pid. `removing` environment variables are left out of what it inherits.
    /// With `ownProcessGroup` the child leads a new process group.
    public static func spawn(
        _ path: String, _ arguments: [String], environment: [String: String] = [:],
        removing: [String] = [], output: String?, ownProcessGroup: Bool = false
    ) throws -> pid_t {
        var env = ProcessInfo.processInfo.environment
        for key in removing { env.removeValue(forKey: key) }
        for (key, value) in environment { env[key] = value }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if let output {
            posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        if ownProcessGroup {
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EINVAL) }
        return pid
    }

    /// Waits up to `seconds` for `pid` to exit and reaps it; its exit status (128 + signal if killed), or nil
    /// if it still runs.
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

    /// The last `lines` non-empty lines of `text` under `label`, or "" when there are none.
    public static func tail(_ text: String, label: String, lines: Int = 12) -> String {
        let last = text.split(separator: "\n", omittingEmptySubsequences: true).suffix(lines)
        guard !last.isEmpty else { return "" }
        return "\n\(label), last lines:\n" + last.map { "  " + $0 }.joined(separator: "\n")
    }

    /// The executable `name` on `PATH`, or nil.
    public static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }
}
