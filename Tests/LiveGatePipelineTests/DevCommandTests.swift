import Foundation
import LiveGateTestSupport
import Testing

extension PipelineTests {
@Suite("livegate dev --demo")
struct DevCommandTests {
    @Test("the demo runs against its own embedded broker and shows every ceiling being hit")
    func demo() throws {
        let database = try TestDatabase.create()
        let process = Process()
        process.executableURL = WorkerProcess.executable
        process.arguments = ["dev", "--demo", "--exit-after-demo"]
        var environment = ProcessInfo.processInfo.environment
        environment["LIVEGATE_DATABASE_URL"] = database.url
        environment.removeValue(forKey: "LIVEGATE_BROKERS")
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
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
