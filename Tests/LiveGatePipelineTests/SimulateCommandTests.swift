import Foundation
import LiveGateCore
import LiveGateStore
import LiveGateTestSupport
import Postgres
import Testing

extension PipelineTests {
    @Suite("livegate simulate")
    struct SimulateCommandTests {
        @Test(
            "prints the replay (lines or the contract's JSON), exit 1 for a tenant never approved, 64 for bad options")
        func simulate() throws {
            let database = try TestDatabase.create()
            defer { database.drop() }
            try Migrations.apply(on: try PostgresConnection(url: database.url))
            let store = try LedgerStore(url: database.url)
            for json in [
                Fixtures.declaration("d", tenant: "t"), Fixtures.decision("ok", tenant: "t", action: "approve"),
                Fixtures.attempt("x1", tenant: "t", amount: "300"), Fixtures.attempt("x2", tenant: "t", amount: "80"),
                Fixtures.declaration("d", tenant: "u"),
            ] {
                _ = try store.apply([Fixtures.event(json)])
            }
            let base = ["simulate", "--database-url", database.url]
            let text = try WorkerProcess.run(base + ["t", "--per-tx", "400"])
            #expect(text.status == 0, "\(text.output)")
            #expect(text.output.contains("newly allowed  1 attempts, $300.00  e.g. x1"), "\(text.output)")
            #expect(text.output.contains("Nothing was changed or published."))
            let json = try WorkerProcess.run(base + ["t", "--json"])
            let answer = try JSONParser.parse(Array(json.output.utf8))
            #expect(answer["attempts"] == .number("2") && answer["newly_denied"] == .number("0"), "\(json.output)")
            let never = try WorkerProcess.run(base + ["u"])
            #expect(never.status == 1 && never.output.contains("never approved"), "\(never.output)")
            #expect(try WorkerProcess.run(base + ["t", "--daily", "-5"]).status == 64)
            #expect(try WorkerProcess.run(base + ["t", "--disabled", "--enabled"]).status == 64)
        }
    }
}
