import Foundation
import LiveGateCore
import LiveGateStore
import LiveGateTestSupport
import Postgres
import Testing

extension PipelineTests {
    @Suite("livegate queue")
    struct QueueCommandTests {
        /// Two pending declarations (one from 2026-12-01, overdue by now) and an approved tenant.
        static func database() throws -> TestDatabase {
            let database = try TestDatabase.create()
            try Migrations.apply(on: try PostgresConnection(url: database.url))
            let store = try LedgerStore(url: database.url, rules: .standard)
            _ = try store.apply(
                [
                    Fixtures.declaration("d1", tenant: "t-new", at: "2026-12-04T15:00:00Z"),
                    Fixtures.declaration("d2", tenant: "t-old", at: "2026-12-01T09:00:00Z"),
                    Fixtures.declaration("d3", tenant: "t-done", at: "2026-11-01T09:00:00Z"),
                ].map { Fixtures.event($0) })
            _ = try store.apply([Fixtures.event(Fixtures.decision("a3", tenant: "t-done", action: "approve"))])
            return database
        }

        @Test("--json prints the contract's array, oldest first; the table says how many wait and are overdue")
        func lists() throws {
            let database = try Self.database()
            defer { database.drop() }
            let base = ["queue", "--database-url", database.url]
            let json = try WorkerProcess.run(base + ["--json"])
            #expect(json.status == 0, "\(json.output)")
            guard case let .array(items) = try JSONParser.parse(Array(json.output.utf8)) else {
                Issue.record("not an array: \(json.output)")
                return
            }
            #expect(items.map { $0["tenant_id"]?.stringValue } == ["t-old", "t-new"])
            #expect(items[0]["due_at"] == .string("2026-12-04T09:00:00.000Z"))
            #expect(items[0]["overdue"] == .bool(true))
            #expect(items[0]["owner"]?["name"] == .string("Ada"))

            let table = try WorkerProcess.run(base)
            #expect(table.status == 0, "\(table.output)")
            #expect(table.output.contains("TENANT") && table.output.contains("Ada <owner@example.com>"))
            #expect(table.output.contains("2 pending"), "\(table.output)")
            #expect(!table.output.contains("t-done"))

            let one = try WorkerProcess.run(base + ["--json", "--max", "1"])
            #expect(one.status == 0 && !one.output.contains("t-new") && one.output.contains("t-old"))
        }

        @Test("--review-sla-days and --holidays (and their variables) move due_at")
        func settings() throws {
            let database = try Self.database()
            defer { database.drop() }
            let holidays = FileManager.default.temporaryDirectory.appendingPathComponent("holidays-\(UUID()).txt").path
            defer { try? FileManager.default.removeItem(atPath: holidays) }
            try "# a test calendar\n2026-12-02\n2026-12-03  # two days off\n".write(
                toFile: holidays, atomically: true, encoding: .utf8)
            let base = ["queue", "--database-url", database.url, "--json"]
            let shifted = try WorkerProcess.run(base + ["--holidays", holidays, "--review-sla-days", "1"])
            #expect(shifted.status == 0, "\(shifted.output)")
            // Tuesday 09:00, Wednesday and Thursday off: one business day later is Friday 09:00.
            #expect(shifted.output.contains(#""due_at":"2026-12-04T09:00:00.000Z""#), "\(shifted.output)")
            let fromEnvironment = try WorkerProcess.run(
                base, environment: ["LIVEGATE_HOLIDAYS": holidays, "LIVEGATE_REVIEW_SLA_DAYS": "2"])
            #expect(
                fromEnvironment.output.contains(#""due_at":"2026-12-07T09:00:00.000Z""#), "\(fromEnvironment.output)")
        }

        @Test("a bad holidays line, an SLA out of range or a variable that does not parse: exit 64, saying which")
        func refusals() throws {
            let holidays = FileManager.default.temporaryDirectory.appendingPathComponent("holidays-\(UUID()).txt").path
            defer { try? FileManager.default.removeItem(atPath: holidays) }
            try "2026-12-25\n2026-02-30\n".write(toFile: holidays, atomically: true, encoding: .utf8)
            let url = "postgresql://livegate@127.0.0.1:1/none"
            let bad = try WorkerProcess.run(["queue", "--database-url", url, "--holidays", holidays])
            #expect(bad.status == 64 && bad.output.contains("line 2"), "\(bad.output)")
            let serve = try WorkerProcess.run([
                "serve", "--listen", "127.0.0.1:25479", "--database-url", url, "--holidays", holidays,
            ])
            #expect(serve.status == 64 && serve.output.contains("line 2"), "serve refuses to start: \(serve.output)")
            let missing = try WorkerProcess.run(["queue", "--database-url", url, "--holidays", holidays + ".none"])
            #expect(missing.status == 64, "\(missing.output)")
            let zero = try WorkerProcess.run(["queue", "--database-url", url, "--review-sla-days", "0"])
            #expect(zero.status == 64, "\(zero.output)")
            let variable = try WorkerProcess.run(
                ["queue", "--database-url", url], environment: ["LIVEGATE_REVIEW_SLA_DAYS": "three"])
            #expect(variable.status == 64 && variable.output.contains("LIVEGATE_REVIEW_SLA_DAYS"), "\(variable.output)")
            let away = try WorkerProcess.run(["queue", "--database-url", url])
            #expect(away.status == 2, "\(away.output)")
        }
    }
}
