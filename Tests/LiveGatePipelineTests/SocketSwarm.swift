import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Many HTTP/1.1 client connections to one loopback port, all driven by poll(2) from the calling thread: ten
/// thousand sockets cost ten thousand descriptors and their buffers, not ten thousand threads. Each connection
/// has bytes queued to write and keeps the first bytes it reads (enough for a status line); `step` moves all of
/// them one poll round on. Not thread-safe: one test drives it.
final class SocketSwarm {
    struct Connection {
        var fd: Int32
        var outbox: [UInt8] = []
        var received: [UInt8] = []
        var openedAt = Date()
        /// When the server closed it (read 0 or an error): nil while open.
        var closedAt: Date?
        /// When the end of the response head came in.
        var answeredAt: Date?
        /// What it sent, for `reopen`.
        var request: [UInt8] = []
        /// Reset by the server's kernel before any answer (ECONNRESET): a connection the listen backlog could not hold.
        var reset = false
    }

    let port: UInt16
    private(set) var connections: [Connection] = []
    /// Bytes kept per connection: a status line and headers.
    static let keep = 512

    init(port: Int) { self.port = UInt16(port) }

    /// Raises this process's open-file limit to its hard limit; the limit now in force.
    static func raiseDescriptorLimit() -> Int {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        return Int(limit.rlim_cur)
    }

    /// Opens a connection (non-blocking, close-on-exec, so spawned children do not inherit ten thousand
    /// sockets) with `request` queued; its index, or nil when the system refused a socket.
    @discardableResult
    func open(sending request: [UInt8]) -> Int? {
        let fd = socket(
            AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 || errno == EINPROGRESS else {
            close(fd)
            return nil
        }
        connections.append(Connection(fd: fd, outbox: request, request: request))
        return connections.count - 1
    }

    /// Opens connection `index` again with its request, as a client does after a reset: false when the system
    /// refused a socket.
    func reopen(_ index: Int) -> Bool {
        guard open(sending: connections[index].request) != nil else { return false }
        connections[index] = connections.removeLast()  // the new connection takes the old one's place
        return true
    }

    func queue(_ index: Int, _ bytes: [UInt8]) {
        guard connections[index].closedAt == nil else { return }
        connections[index].outbox += bytes
    }

    /// One poll round, waiting at most `timeoutMillis` for anything to happen: writes what is queued, reads
    /// what came, notes closes.
    func step(timeoutMillis: Int32) {
        var polled: [pollfd] = []
        var indices: [Int] = []
        polled.reserveCapacity(connections.count)
        for (index, connection) in connections.enumerated() where connection.closedAt == nil {
            let events = Int16(POLLIN) | (connection.outbox.isEmpty ? 0 : Int16(POLLOUT))
            polled.append(pollfd(fd: connection.fd, events: events, revents: 0))
            indices.append(index)
        }
        guard !polled.isEmpty else { return }
        guard poll(&polled, nfds_t(polled.count), timeoutMillis) > 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 4096)
        for (slot, entry) in polled.enumerated() where entry.revents != 0 {
            let index = indices[slot]
            if entry.revents & Int16(POLLOUT) != 0, !connections[index].outbox.isEmpty {
                let written = connections[index].outbox.withUnsafeBytes {
                    send(entry.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                }
                if written > 0 { connections[index].outbox.removeFirst(written) }
            }
            if entry.revents & (Int16(POLLIN) | Int16(POLLHUP) | Int16(POLLERR)) != 0 {
                let count = read(entry.fd, &buffer, buffer.count)
                if count > 0 {
                    let room = max(0, Self.keep - connections[index].received.count)
                    connections[index].received += buffer.prefix(min(count, room))
                    if connections[index].answeredAt == nil,
                        connections[index].received.firstRange(of: Array("\r\n\r\n".utf8)) != nil
                    {
                        connections[index].answeredAt = Date()
                    }
                } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                    connections[index].reset = count < 0 && errno == ECONNRESET && connections[index].received.isEmpty
                    connections[index].closedAt = Date()
                    close(entry.fd)
                }
            }
        }
    }

    /// The status code of the response a connection got, or nil before one came.
    func status(_ index: Int) -> Int? {
        let head = connections[index].received
        guard head.count >= 12, head.starts(with: Array("HTTP/1.1 ".utf8)) else { return nil }
        return Int(String(decoding: head[9..<12], as: UTF8.self))
    }

    /// Closes every connection still open.
    func closeAll() {
        for index in connections.indices where connections[index].closedAt == nil {
            close(connections[index].fd)
            connections[index].closedAt = Date()
        }
    }

    deinit { closeAll() }
}

/// A process's resident memory now and at its peak, in MiB, from /proc (Linux).
/// Where a process's resident memory is, for a failure to say: anonymous and file-backed pages, threads, open
/// descriptors (serve's connections).
func residentBreakdown(of pid: pid_t) -> String {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return "gone" }
    let fields = ["RssAnon:", "RssFile:", "Threads:"].map { name in
        status.split(separator: "\n").first(where: { $0.hasPrefix(name) }).map { String($0) } ?? "\(name) ?"
    }
    let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    return fields.map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") }.joined(separator: ", ")
        + ", descriptors \(descriptors)"
}

func residentMegabytes(of pid: pid_t) -> (now: Double, peak: Double)? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    func field(_ name: String) -> Double? {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return nil }
        return line.split(whereSeparator: \.isWhitespace).dropFirst().first.flatMap { Double($0) }.map { $0 / 1024 }
    }
    guard let now = field("VmRSS:"), let peak = field("VmHWM:") else { return nil }
    return (now, peak)
}
