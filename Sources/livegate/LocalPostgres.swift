import Foundation

/// A private PostgreSQL for `livegate dev`, the same server `deploy/postgres.sh` manages (same port and
/// folder by default): initialised on first use, started if stopped, run as `postgres` when we are root
/// (PostgreSQL refuses root). Durable commits (fsync on), trust authentication on loopback only.
enum LocalPostgres {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func start(port: Int = Int(Env.get("LIVEGATE_PG_PORT") ?? "") ?? 54329) throws -> String {
        let dir = Env.get("LIVEGATE_PG_DIR") ?? "/tmp/livegate-pg-\(port)"
        let bin = try binDirectory()
        let fm = FileManager.default
        if !fm.fileExists(atPath: "\(dir)/PG_VERSION") {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
            if getuid() == 0 { try run("/bin/chown", ["postgres:", dir]) }
            try run("/bin/chmod", ["700", dir])
            try asOwner("\(bin)/initdb", ["-D", dir, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"])
            let settings = """

                listen_addresses = '127.0.0.1'
                port = \(port)
                unix_socket_directories = '\(dir)'
                max_connections = 200
                shared_buffers = 256MB
                fsync = on
                synchronous_commit = on

                """
            let conf = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(dir)/postgresql.conf"))
            conf.seekToEndOfFile()
            conf.write(Data(settings.utf8))
            try conf.close()
        }
        if (try? asOwner("\(bin)/pg_ctl", ["-D", dir, "status"])) == nil {
            try asOwner("\(bin)/pg_ctl", ["-D", dir, "-l", "\(dir)/server.log", "-w", "-t", "60", "start"])
        }
        return "postgresql://postgres@127.0.0.1:\(port)/postgres"
    }

    static func binDirectory() throws -> String {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        guard let version = versions.compactMap(Int.init).max() else {
            throw Failure(description: "PostgreSQL server binaries not found under \(root); run deploy/setup.sh")
        }
        return "\(root)/\(version)/bin"
    }

    private static func asOwner(_ tool: String, _ arguments: [String]) throws {
        if getuid() == 0 { try run("/usr/sbin/runuser", ["-u", "postgres", "--", tool] + arguments) }
        else { try run(tool, arguments) }
    }

    private static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(URL(fileURLWithPath: tool).lastPathComponent) exited \(process.terminationStatus)")
        }
    }
}
