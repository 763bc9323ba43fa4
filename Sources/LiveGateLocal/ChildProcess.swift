import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A long-running child (a worker or a server under test), spawned with `Subprocess.spawn` and always reaped:
/// `stop()` asks it to end (SIGTERM) and kills it (SIGKILL) when it has not within its grace; a child still
/// running when the last reference goes is killed and reaped in `deinit`, so an error path leaks no process.
public final class ChildProcess: Sendable {
    public let pid: pid_t
    /// How it ended, once reaped (the exit status, or 128 + the signal); nil while it may run. Guarded so that
    /// a pid is signalled only while it is still ours: once reaped, the kernel may give the number to another.
    private let ended = Mutex<Int32?>(nil)

    /// Starts `path` with the environment of this process (plus `environment`), stdin from /dev/null and
    /// stdout and stderr appended to `output`, or shared with this process when `output` is nil.
    public init(
        _ path: String, _ arguments: [String], environment: [String: String] = [:],
        output: String? = nil
    ) throws {
        pid = try Subprocess.spawn(path, arguments, environment: environment, output: output)
    }

    /// SIGTERM, then up to `graceSeconds` for it to exit, then SIGKILL; returns how it ended. Repeating it
    /// returns the same answer without signalling anything.
    @discardableResult
    public func stop(graceSeconds: Double = 30) -> Int32 {
        ended.withLock { ended in
            if let ended { return ended }
            kill(pid, SIGTERM)
            if let status = Subprocess.wait(pid, seconds: graceSeconds) {
                ended = status
                return status
            }
            kill(pid, SIGKILL)
            let status = Subprocess.wait(pid, seconds: Self.killWaitSeconds) ?? 128 + SIGKILL
            ended = status
            return status
        }
    }

    /// How long a killed child may take to be reaped (a SIGKILL is not refused; this bounds a process in
    /// uninterruptible sleep).
    static let killWaitSeconds = 10.0

    /// Whether it still runs (a child that exited by itself is reaped here).
    public var isRunning: Bool {
        ended.withLock { ended in
            guard ended == nil else { return false }
            ended = Subprocess.wait(pid, seconds: 0)
            return ended == nil
        }
    }

    deinit {
        ended.withLock { ended in
            guard ended == nil else { return }
            kill(pid, SIGKILL)
            ended = Subprocess.wait(pid, seconds: Self.killWaitSeconds)
        }
    }
}
