import Foundation
import LiveGateLocal
import LiveGateTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension PipelineTests {
    @Suite("livegate serve: bounded under slow and waiting callers")
    struct ServeBoundsProofTests {
        static let port = 25469
        static let trickling = 500
        static let waiting = 10_000
        static let bodyTimeoutMillis = 4000
        /// The issue's bound. serve's memory follows its connection cap (about 30 KiB a connection, see
        /// StatusServer.Limits); the default cap, 5,000, holds it whatever callers send.
        static let memoryBoundMegabytes = 256.0

        /// 500 connections trickle a body a byte a second and 10,000 calls wait for verdicts no worker gives, with
        /// serve's default bounds: it holds 5,000 connections at a time and the rest wait in the listen backlog
        /// until one frees. Its resident memory stays under 256 MiB, the slow connections are closed by the body
        /// deadline, every waiting call ends 202, and a well-behaved caller (a client that keeps its connection,
        /// as HTTP clients' pools do) keeps getting its status reads answered 200 meanwhile.
        @Test(
            "500 trickling bodies and 10,000 waiting calls: memory bounded, slow ones closed, others served",
            .timeLimit(.minutes(3)))
        func slowAndWaitingCallers() throws {
            let descriptors = SocketSwarm.raiseDescriptorLimit()
            try #require(
                descriptors >= Self.waiting + Self.trickling + 1000,
                "this test needs about 11,500 open files; the hard limit allows \(descriptors)")
            let h = try PipelineHarness(partitions: 1)
            try h.migrate()
            let base = "http://127.0.0.1:\(Self.port)"
            // The binary built with the tests, or another (LIVEGATE_PROOF_BIN: a release build, as a pod runs it).
            let executable = ProcessInfo.processInfo.environment["LIVEGATE_PROOF_BIN"] ?? WorkerProcess.executable
            let serve = try WorkerProcess(
                executable: executable,
                [
                    "serve", "--listen", "127.0.0.1:\(Self.port)", "--database-url", h.database.url, "--brokers",
                    h.broker.bootstrapServers,
                    "--max-waiting", String(Self.waiting), "--body-timeout-ms", String(Self.bodyTimeoutMillis),
                ], name: "serve-bounds")
            try #require(try eventually(30) { try curl(base + "/readyz").status == 200 }, "never ready: \(serve.log)")
            let idle = try #require(residentMegabytes(of: serve.pid))
            let caller = try #require(KeepAliveCaller(port: Self.port), "no connection for the well-behaved caller")

            let swarm = SocketSwarm(port: Self.port)
            let started = Date()
            // Slow bodies first: each announces 200 bytes and sends one.
            var slow: [Int] = []
            for _ in 0..<Self.trickling {
                let head =
                    "POST /v1/transaction-attempts HTTP/1.1\r\nHost: proof\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 200\r\n\r\n{"
                slow.append(try #require(swarm.open(sending: Array(head.utf8)), "no socket"))
            }
            // Then the waiting calls, 500 at a time so the listen backlog is not overrun.
            var waiting: [Int] = []
            for batch in 0..<(Self.waiting / 500) {
                for n in 0..<500 {
                    let body =
                        #"{"event_id":"w-\#(batch * 500 + n)","type":"transaction.attempted","tenant_id":"t-proof"}"#
                    // Connection: close, as a caller done with its connection: the slot frees for the next in the backlog.
                    let request =
                        "POST /v1/transaction-attempts?wait_ms=10000 HTTP/1.1\r\nHost: proof\r\nConnection: close\r\n"
                        + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
                    waiting.append(try #require(swarm.open(sending: Array(request.utf8)), "no socket"))
                }
                for _ in 0..<5 { swarm.step(timeoutMillis: 20) }
            }
            let opened = Date().timeIntervalSince(started)

            // Until every waiting call is answered (or 90 s: the last wait their turn in the listen queue): a byte a second
            // on each slow body, a status read every 250 ms on the caller's own connection, serve's memory sampled
            // as often.
            var good: [Int] = []
            var peakSeen = idle.now
            var atPeak = residentBreakdown(of: serve.pid)
            var lastTrickle = Date.distantPast, lastGood = Date.distantPast
            var reopened = 0
            let deadline = Date().addingTimeInterval(90)
            while Date() < deadline,
                waiting.contains(where: {
                    swarm.status($0) == nil && (swarm.connections[$0].closedAt == nil || swarm.connections[$0].reset)
                })
            {
                // Past serve's connections and the kernel's listen queue, the kernel resets what it cannot hold; the
                // caller sends the same request again, as a client does (safe: the same event_id is applied once).
                for index in waiting where swarm.connections[index].reset { if swarm.reopen(index) { reopened += 1 } }
                if Date().timeIntervalSince(lastTrickle) >= 1 {
                    lastTrickle = Date()
                    for index in slow { swarm.queue(index, Array(" ".utf8)) }
                }
                if Date().timeIntervalSince(lastGood) >= 0.25 {
                    lastGood = Date()
                    good.append(caller.get("/v1/tenants/t-good/production-status") ?? 0)
                    if let memory = residentMegabytes(of: serve.pid), memory.now > peakSeen {
                        (peakSeen, atPeak) = (memory.now, residentBreakdown(of: serve.pid))
                    }
                }
                swarm.step(timeoutMillis: 50)
            }
            let memory = try #require(residentMegabytes(of: serve.pid))
            let elapsed = Date().timeIntervalSince(started)

            let statuses = Dictionary(grouping: waiting, by: { swarm.status($0) ?? 0 }).mapValues(\.count)
            let slowLifetimes = slow.compactMap { index in
                swarm.connections[index].closedAt.map { $0.timeIntervalSince(swarm.connections[index].openedAt) }
            }
            let goodStatuses = Dictionary(grouping: good, by: { $0 }).mapValues(\.count)
            print(
                """
                serve bounds: \(Self.trickling) trickling + \(Self.waiting) waiting connections opened in \
                \(String(format: "%.1f", opened)) s; RSS idle \(String(format: "%.0f", idle.now)) MiB, highest sampled \
                \(String(format: "%.0f", peakSeen)) MiB (\(atPeak)), VmHWM \(String(format: "%.0f", memory.peak)) MiB; \
                waiting calls \
                \(statuses); slow connections closed after \(String(format: "%.1f", slowLifetimes.min() ?? 0))–\
                \(String(format: "%.1f", slowLifetimes.max() ?? 0)) s (\(slowLifetimes.count) of \(Self.trickling)); \
                status reads \(goodStatuses); \(reopened) calls sent again after a reset; \(String(format: "%.0f", elapsed)) s in all
                """)
            swarm.closeAll()

            #expect(
                memory.peak < Self.memoryBoundMegabytes,
                "serve's resident memory peaked at \(memory.peak) MiB; at the highest sample: \(atPeak)")
            #expect(statuses[202] == Self.waiting, "every waiting call ends 202 (no worker runs): \(statuses)")
            #expect(slowLifetimes.count == Self.trickling, "every slow connection is closed by serve")
            let bound = Double(Self.bodyTimeoutMillis) / 1000
            #expect(
                slowLifetimes.allSatisfy { $0 >= bound - 0.5 && $0 < bound + 5 },
                "closed at the body deadline: \(slowLifetimes.sorted().prefix(3)) … \(slowLifetimes.sorted().suffix(3))"
            )
            #expect(good.count >= 20 && goodStatuses[200] == good.count, "the well-behaved caller: \(goodStatuses)")
            caller.close()

            serve.signal(SIGTERM)
            #expect(serve.waitForExit(seconds: 30) == 0, "\(serve.log.suffix(2000))")
            h.database.drop()
        }
    }
}

/// A client that keeps one connection and asks on it, as an HTTP client's pool does: blocking, a request at a
/// time, each answer read whole (by Content-Length) within 2 s.
final class KeepAliveCaller {
    private let fd: Int32

    init?(port: Int) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            Glibc.close(fd)
            return nil
        }
    }

    /// The status of a GET on this connection, or nil when no whole answer came in time.
    func get(_ path: String) -> Int? {
        let request = Array("GET \(path) HTTP/1.1\r\nHost: proof\r\n\r\n".utf8)
        let sent = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == request.count else { return nil }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            if let end = received.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound {
                let head = String(decoding: received[..<end], as: UTF8.self).lowercased()
                let length =
                    head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if received.count >= end + length, head.hasPrefix("http/1.1 ") {
                    return Int(head.dropFirst(9).prefix(3))
                }
            }
            let count = read(fd, &buffer, buffer.count)
            guard count > 0 else { return nil }
            received += buffer.prefix(count)
        }
    }

    func close() { Glibc.close(fd) }
}
