import Foundation
import LiveGateLocal
import LiveGateTestSupport
import Testing

extension PipelineTests {
@Suite("livegate dev --demo")
struct DevCommandTests {
    @Test("the demo runs against its own embedded broker and shows every ceiling being hit")
    func demo() throws {
        let database = try TestDatabase.create()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("livegate-dev-\(UUID().uuidString).log").path
        let pid = try Subprocess.spawn(WorkerProcess.executable, ["dev", "--demo", "--exit-after-demo"],
                                       environment: ["LIVEGATE_DATABASE_URL": database.url],
                                       removing: ["LIVEGATE_BROKERS"], output: log)
        let status = Subprocess.wait(pid, seconds: 120)
        if status == nil { kill(pid, SIGKILL) }
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(status == 0)
        for expected in ["Kafka bootstrap", "declaration accepted 202", "production_access_approved",
                         "exceeds_tenant_beta_ceiling_per_tx", "exceeds_tenant_beta_ceiling_daily",
                         "exceeds_tenant_beta_ceiling_monthly", "monthly 2000.00/2000.00",
                         "production_access_suspended", "live_access_not_approved"] {
            #expect(output.contains(expected), "missing \(expected) in:\n\(output)")
        }
        database.drop()
    }
}
}
