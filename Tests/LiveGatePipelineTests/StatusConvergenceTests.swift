import Foundation
import Kafka
import LiveGateCore
import LiveGatePipeline
import LiveGateTestSupport
import Postgres
import Testing

extension PipelineTests {
    @Suite("tenant-status converges")
    struct StatusConvergenceTests {
        static func isFrozen(_ pid: pid_t) -> Bool {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            return stat[stat.index(close, offsetBy: 2)] == "T"
        }

        /// Per tenant, the status records in topic order: (version, bytes).
        static func statuses(_ out: OutputWatcher) -> [String: [(version: Int64, bytes: [UInt8])]] {
            var byTenant: [String: [(Int64, [UInt8])]] = [:]
            for record in out.records where record.topic == Topics.tenantStatus {
                guard let value = record.value, let json = try? JSONParser.parse(value),
                    let tenant = json["tenant_id"]?.stringValue,
                    case let .number(text)? = json["version"], let version = Int64(text)
                else { continue }
                byTenant[tenant, default: []].append((version, value))
            }
            return byTenant
        }

        @Test(
            "a worker frozen mid-batch publishes old statuses when it wakes; within 60 s every tenant's last is current"
        )
        func frozenWorker() throws {
            let h = try PipelineHarness(partitions: 4)
            try h.migrate()
            let out = try h.reader([Topics.accessVerdict, Topics.tenantStatus])
            let tenants = (0..<16).map { "conv-\($0)" }
            let b = try WorkerProcess(h, group: "converge", name: "converge-b")
            for (prefix, action) in [("d", "declare"), ("a", "approve")] {
                try h.publish(
                    tenants.map { t in
                        action == "declare"
                            ? Fixtures.declaration("\(prefix)-\(t)", tenant: t)
                            : Fixtures.decision("\(prefix)-\(t)", tenant: t, action: "approve", at: Fixtures.now())
                    })
                try #require(try out.awaitAnswers(tenants.map { "\(prefix)-\($0)" }, timeoutSeconds: 90))
            }
            // A joins and takes half the partitions; its first batch freezes it after the commit, before publishing.
            let a = try WorkerProcess(h, group: "converge", name: "converge-a", fault: "stop-after-apply:1")
            try #require(
                Self.waitUntil(60) {
                    a.log.split(separator: "\n").contains {
                        $0.contains(" assigned ") && !$0.contains(" assigned 0 partitions")
                    }
                }, "A was given no partitions:\n\(a.log.suffix(2000))")
            func round(_ n: Int, daily: String) -> [String] {
                tenants.map {
                    Fixtures.decision(
                        "c\(n)-\($0)", tenant: $0, action: "set_ceiling", at: Fixtures.now(), notes: nil,
                        ceiling: #"{"daily":"\#(daily)"}"#)
                }
            }
            try h.publish(round(1, daily: "300"))
            try #require(Self.waitUntil(60) { Self.isFrozen(a.pid) }, "A never froze:\n\(a.log.suffix(2000))")
            // B takes A's partitions after the session timeout, answers round 1 again and round 2 anew.
            let host = HostProbe()
            try h.publish(round(2, daily: "400"))
            let takenOver = try out.awaitAnswers(tenants.flatMap { ["c1-\($0)", "c2-\($0)"] }, timeoutSeconds: 120)
            try #require(takenOver, "B did not answer A's partitions within 120 s: \(host.report())")
            try out.read(timeoutSeconds: 2) { _ in false }
            a.signal(SIGCONT)
            let woke = Date()

            let db = try PostgresConnection(url: h.database.url)
            var current: [String: Int64] = [:]
            for row in try db.query("SELECT tenant_id, version FROM tenants").rows {
                if let t = row[0], let v = row[1].flatMap(Int64.init) { current[t] = v }
            }
            try #require(current.count == tenants.count && current.values.allSatisfy { $0 == 4 })
            // A publishes the batch it froze in: verdicts B already published again (same bytes), and old statuses,
            // which land after B's newer ones. (Copies of verdicts prove nothing here: B may republish too.)
            func regressions() -> [String] {
                let statuses = Self.statuses(out)
                return tenants.filter { t in
                    let versions = statuses[t]?.map(\.version) ?? []
                    return zip(versions, versions.dropFirst()).contains { $0 > $1 }
                }
            }
            let late = try out.read(timeoutSeconds: 30) { _ in !regressions().isEmpty }
            #expect(late, "the frozen worker published no old status after it woke:\n\(a.log.suffix(2000))")
            let converged = try out.read(timeoutSeconds: 60 - Date().timeIntervalSince(woke)) { _ in
                let statuses = Self.statuses(out)
                return tenants.allSatisfy { statuses[$0]?.last?.version == current[$0] }
            }
            let seconds = Date().timeIntervalSince(woke)
            let hostDuring = host.report()
            let statuses = Self.statuses(out)
            let wentBack = regressions()
            print(
                """
                status convergence proof:
                  tenants: \(tenants.count), statuses read: \(statuses.values.map { $0.count }.reduce(0, +))
                  tenants whose statuses went back on the topic: \(wentBack.count)
                  converged \(String(format: "%.1f", seconds)) s after the frozen worker woke: \(converged)
                  host from the freeze to convergence: \(hostDuring)
                """)
            let lastVersions = tenants.map { "\($0)=\(statuses[$0]?.last?.version ?? -1)/\(current[$0] ?? -1)" }
            #expect(converged, "\(hostDuring); last versions: \(lastVersions)")
            // A reader keeping the highest version never goes back: one version, one content.
            for t in tenants {
                var byVersion: [Int64: [UInt8]] = [:]
                for (version, bytes) in statuses[t] ?? [] {
                    #expect(byVersion[version, default: bytes] == bytes, "\(t) v\(version) published with two contents")
                    byVersion[version] = bytes
                }
                #expect(byVersion.keys.max() == current[t])
            }
            #expect(a.log.contains("fault injection armed"))
            for worker in [a, b] { worker.signal(SIGTERM) }
            #expect(a.waitForExit(seconds: 60) == 0)
            #expect(b.waitForExit(seconds: 60) == 0)
            h.database.drop()
        }

        @Test(
            "a status LiveGate did not publish (a higher version, other content at the current one, junk, a tenant never seen) is followed by the stored one"
        )
        func forgedStatus() throws {
            let h = try PipelineHarness(partitions: 1)
            try h.migrate()
            let worker = h.startWorker(lanes: 1)
            let out = try h.reader([Topics.accessVerdict, Topics.tenantStatus])
            let declared = ["real", "same", "junk"]
            try h.publish(declared.map { Fixtures.declaration("d-\($0)", tenant: $0) })
            try #require(try out.awaitAnswers(declared.map { "d-\($0)" }))
            let forgeries: [(tenant: String, value: String)] = [
                ("real", Self.forged("real", version: 99)), ("same", Self.forged("same", version: 1)),
                ("junk", "not a status"), ("ghost", Self.forged("ghost", version: 5)),
                ("ghost0", Self.forged("ghost0", version: 0)),
            ]
            let expected: [String: (state: String, version: Int64)] = [
                "real": ("declaration_pending", 1), "same": ("declaration_pending", 1),
                "junk": ("declaration_pending", 1),
                "ghost": ("sandbox_only", 0), "ghost0": ("sandbox_only", 0),
            ]
            // The last record of each key, as compaction keeps it.
            func last() -> [String: JSONValue?] {
                var last: [String: JSONValue?] = [:]
                for record in out.records where record.topic == Topics.tenantStatus {
                    guard let key = record.key else { continue }
                    last[String(decoding: key, as: UTF8.self)] = .some(
                        record.value.flatMap { try? JSONParser.parse($0) })
                }
                return last
            }
            func current() -> Bool {
                let records = last()
                return expected.allSatisfy { tenant, want in
                    guard let status = records[tenant] ?? nil, case let .number(version)? = status["version"] else {
                        return false
                    }
                    return status["state"]?.stringValue == want.state && Int64(version) == want.version
                }
            }
            // The guard's group starts at the topic's end, so forgeries published before it reads are never seen:
            // forge again every 2 s until the guard answers them.
            var corrected = false
            let deadline = Date().addingTimeInterval(60)
            while !corrected, Date() < deadline {
                for (tenant, value) in forgeries {
                    try h.publish(Topics.tenantStatus, key: tenant, values: [Array(value.utf8)])
                }
                corrected = try out.read(timeoutSeconds: 2) { _ in current() }
            }
            #expect(corrected, "last records: \(last())")
            try worker.stop()
            h.database.drop()
        }

        /// A status record nobody at LiveGate wrote: approved, at `version`.
        static func forged(_ tenant: String, version: Int) -> String {
            #"{"tenant_id":"\#(tenant)","state":"production_approved","live_allowed":true,"version":\#(version)}"#
        }

        static func waitUntil(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if try condition() { return true }
                Thread.sleep(forTimeInterval: 0.1)
            }
            return try condition()
        }
    }
}
