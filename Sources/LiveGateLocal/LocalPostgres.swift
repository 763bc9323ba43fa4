import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The private PostgreSQL server that `livegate dev`, `deploy/postgres.sh`, the tests and the bench all start
/// the same way: one folder and one port, initialised on first use, started when stopped, run as the
/// `postgres` user when we are root (PostgreSQL refuses root). Durable commits (fsync on) and trust
/// authentication on loopback only: for development and measurement, never for production.
///
/// Nothing here can hang: every child process has a time bound and is reaped, starts and stops of one folder
/// are serialized by a lock file whose wait is bounded too, and a step that fails says which step, with its
/// own output and the server log's last lines.
public struct LocalPostgres: Sendable {
    /// TCP port on 127.0.0.1. Default 54329 (`LIVEGATE_PG_PORT`).
    public let port: Int
    /// The data folder. Default `/tmp/livegate-pg-<port>` (`LIVEGATE_PG_DIR`).
    public let directory: String
    /// PostgreSQL's server programs. Default: the newest `/usr/lib/postgresql/<major>/bin` (`LIVEGATE_PG_BIN`).
    public let binDirectory: String

    public static let defaultPort = 54329

    /// A step that failed, with what it printed and the server log's last lines.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public enum Status: String, Sendable {
        case notInitialised = "not initialised", stopped, running
    }

    /// pg_ctl's shutdown modes: `fast` is clean; `immediate` is as a crash, with recovery at the next start.
    public enum StopMode: String, Sendable, CaseIterable {
        case fast, immediate
    }

    /// `directory` is made absolute and loses any trailing `/`: the lock file beside it must not land inside
    /// it, and PostgreSQL's programs, which run from `/`, must resolve it as we do.
    public init(port: Int = defaultPort, directory: String? = nil, binDirectory: String) {
        self.port = port
        self.directory = URL(fileURLWithPath: directory ?? "/tmp/livegate-pg-\(port)").standardizedFileURL.path
        self.binDirectory = binDirectory
    }

    /// The server named by `LIVEGATE_PG_PORT`, `LIVEGATE_PG_DIR` and `LIVEGATE_PG_BIN`, each with its default.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment,
        port givenPort: Int? = nil
    ) throws -> LocalPostgres {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let portText = value("LIVEGATE_PG_PORT")
        let port = givenPort ?? portText.flatMap(Int.init) ?? defaultPort
        guard (1...65535).contains(port), givenPort != nil || portText == nil || Int(portText!) != nil else {
            throw Failure(description: "LIVEGATE_PG_PORT must be a port number, 1 to 65535")
        }
        let directory = givenPort == nil ? value("LIVEGATE_PG_DIR") : nil
        return LocalPostgres(
            port: port, directory: directory, binDirectory: try value("LIVEGATE_PG_BIN") ?? newestBinDirectory())
    }

    /// The URL to connect with: user `postgres`, trusted, on loopback.
    public var url: String { "postgresql://postgres@127.0.0.1:\(port)/postgres" }

    /// Where the server writes its log.
    public var logPath: String { directory + "/server.log" }

    /// Initialises the folder if it has no cluster yet, starts the server if it is not running, and returns
    /// its URL once it accepts connections.
    @discardableResult
    public func start() throws -> String {
        try withLock {
            if !FileManager.default.fileExists(atPath: directory + "/PG_VERSION") { try initialise() }
            if try status() == .running {
                try awaitReady()  // started by another program a moment ago, perhaps still recovering
                return url
            }
            let options = Self.settings(port: port, directory: directory).map { "-c \($0)" }.joined(separator: " ")
            let started = try asOwner(
                "pg_ctl", ["-D", directory, "-l", logPath, "-w", "-t", "60", "-o", options, "start"],
                timeoutSeconds: 90)
            guard started.status == 0 else {
                // pg_ctl gave up waiting, or another program started it meanwhile: as good, once it answers.
                if try status() == .running {
                    try awaitReady()
                    return url
                }
                throw failure(
                    "PostgreSQL did not start on port \(port) (pg_ctl exited \(started.status))", started.output)
            }
            return url
        }
    }

    /// Stops the server if it runs; does nothing otherwise.
    public func stop(_ mode: StopMode = .fast) throws {
        try withLock {
            guard try status() == .running else { return }
            let stopped = try asOwner(
                "pg_ctl", ["-D", directory, "-m", mode.rawValue, "-w", "-t", "60", "stop"],
                timeoutSeconds: 90)
            guard stopped.status == 0 else {
                throw failure("PostgreSQL did not stop (pg_ctl exited \(stopped.status))", stopped.output)
            }
        }
    }

    /// Whether the folder holds a cluster and whether its server runs.
    public func status() throws -> Status {
        guard FileManager.default.fileExists(atPath: directory + "/PG_VERSION") else { return .notInitialised }
        // pg_ctl status: 0 running, 3 not running, 4 no usable data folder.
        let outcome = try asOwner("pg_ctl", ["-D", directory, "status"], timeoutSeconds: 15)
        switch outcome.status {
        case 0: return .running
        case 3: return .stopped
        default: throw failure("pg_ctl status exited \(outcome.status) for \(directory)", outcome.output)
        }
    }

    private func initialise() throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if getuid() == 0 {
            let owner = try Self.postgresUser()
            guard chown(directory, owner.uid, owner.gid) == 0 else {
                throw Failure(
                    description: "could not give \(directory) to the postgres user: \(String(cString: strerror(errno)))"
                )
            }
        }
        guard chmod(directory, 0o700) == 0 else {
            throw Failure(
                description: "could not restrict \(directory) to its owner: \(String(cString: strerror(errno)))")
        }
        let made = try asOwner(
            "initdb", ["-D", directory, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"],
            timeoutSeconds: 120)
        guard made.status == 0 else {
            throw failure(
                "initdb exited \(made.status) for \(directory) (if the folder holds something else, remove it)",
                made.output)
        }
    }

    /// Every start passes these, so a folder whose initialisation was cut short, or that an older LiveGate
    /// initialised, still gets them all. Room for the WAL of a write-heavy run between checkpoints: with the
    /// default 1 GB, a benchmark forced a checkpoint every ~30 s, each followed by full-page images.
    static func settings(port: Int, directory: String) -> [String] {
        [
            "listen_addresses=127.0.0.1", "port=\(port)", "unix_socket_directories='\(directory)'",
            "max_connections=200",
            "shared_buffers=256MB", "fsync=on", "synchronous_commit=on", "max_wal_size=4GB", "checkpoint_timeout=15min",
        ]
    }

    /// Waits, at most 60 s, until the server accepts connections (`pg_isready`); it may be recovering after
    /// an immediate stop.
    private func awaitReady() throws {
        let deadline = Date().addingTimeInterval(60)
        var last = Subprocess.Outcome(status: 2, output: "")
        repeat {
            last = try asOwner("pg_isready", ["-h", "127.0.0.1", "-p", String(port), "-t", "2"], timeoutSeconds: 10)
            if last.status == 0 { return }
            usleep(200_000)
        } while Date() < deadline
        throw failure("PostgreSQL on port \(port) runs but did not accept connections within 60 s", last.output)
    }

    /// Runs one of PostgreSQL's programs, as `postgres` when we are root. Then it runs from `/` (`env -C`): our
    /// own directory may be one that `postgres` cannot enter, such as root's home, which its programs complain of.
    private func asOwner(_ program: String, _ arguments: [String], timeoutSeconds: Double) throws -> Subprocess.Outcome
    {
        let tool = binDirectory + "/" + program
        guard FileManager.default.isExecutableFile(atPath: tool) else {
            throw Failure(description: "\(tool) not found: install PostgreSQL's server programs (deploy/setup.sh does)")
        }
        if getuid() == 0 {
            // setpriv, not runuser: runuser forks and its child starts a session of its own, which a timeout's
            // kill of our child's process group would miss; setpriv execs the program itself in our child.
            return try Subprocess.run(
                "/usr/bin/setpriv",
                [
                    "--reuid=postgres", "--regid=postgres", "--init-groups", "--",
                    "/usr/bin/env", "-C", "/", tool,
                ] + arguments,
                timeoutSeconds: timeoutSeconds)
        }
        return try Subprocess.run(tool, arguments, timeoutSeconds: timeoutSeconds)
    }

    private func failure(_ what: String, _ output: String) -> Failure {
        let log = Self.tail(ofFile: logPath)
        return Failure(
            description: what + Subprocess.tail(output, label: "its output")
                + Subprocess.tail(log, label: "server log \(logPath)"))
    }

    /// Serializes starts and stops of this folder across processes (two test runs, `livegate dev` beside a
    /// bench), with a bounded wait: a lock file beside the folder, held with flock while the step runs.
    private func withLock<T>(_ body: () throws -> T) throws -> T {
        let lockPath = directory + ".lock"
        try FileManager.default.createDirectory(
            atPath: (lockPath as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw Failure(description: "could not open \(lockPath): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }  // closing releases the lock
        let deadline = Date().addingTimeInterval(300)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                throw Failure(description: "could not lock \(lockPath): \(String(cString: strerror(errno)))")
            }
            guard Date() < deadline else {
                throw Failure(
                    description: "another program held \(lockPath) for 300 s while starting or stopping PostgreSQL")
            }
            usleep(50_000)
        }
        return try body()
    }

    /// The last 16 KiB of a file, as text whatever its bytes: a long server log is not read whole.
    static func tail(ofFile path: String) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > 16_384 ? size - 16_384 : 0)
        return String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
    }

    private static func postgresUser() throws -> (uid: uid_t, gid: gid_t) {
        guard let entry = getpwnam("postgres") else {
            throw Failure(
                description: "PostgreSQL refuses to run as root and there is no postgres user: "
                    + "install the postgresql package (deploy/setup.sh does) or run as another user")
        }
        return (entry.pointee.pw_uid, entry.pointee.pw_gid)
    }

    static func newestBinDirectory() throws -> String {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        guard let version = versions.compactMap(Int.init).max() else {
            throw Failure(description: "PostgreSQL's server programs are not under \(root): run deploy/setup.sh")
        }
        return "\(root)/\(version)/bin"
    }
}
