import Foundation
import LiveGateLocal
import LiveGateTestSupport
import Testing

extension PipelineTests {
@Suite("livegate dev --demo")
struct DevCommandTests {
    /// Runs `livegate dev --demo --exit-after-demo` with `extra` arguments; its exit status and output.
    func runDemo(_ extra: [String] = []) throws -> (status: Int32?, output: String) {
        let database = try TestDatabase.create()
        defer { database.drop() }
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("livegate-dev-\(UUID().uuidString).log").path
        let pid = try Subprocess.spawn(WorkerProcess.executable, ["dev", "--demo", "--exit-after-demo"] + extra,
                                       environment: ["LIVEGATE_DATABASE_URL": database.url],
                                       removing: ["LIVEGATE_BROKERS"], output: log)
        let status = Subprocess.wait(pid, seconds: 120)
        if status == nil { kill(pid, SIGKILL) }
        return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    @Test("the demo runs against its own embedded broker and shows every ceiling being hit")
    func demo() throws {
        let (status, output) = try runDemo()
        #expect(status == 0)
        for expected in ["Kafka bootstrap", "declaration accepted 202", "production_access_approved",
                         "exceeds_tenant_beta_ceiling_per_tx", "exceeds_tenant_beta_ceiling_daily",
                         "exceeds_tenant_beta_ceiling_monthly", "monthly 2000.00/2000.00",
                         "production_access_suspended", "live_access_not_approved",
                         "ceiling_warning (daily 442.50/500.00)", "ceiling_reached (daily 442.50/500.00)",
                         "resolution failed  accepted 200  released $100.00", "ceiling_warning (monthly",
                         "ceiling_reached (monthly 2000.00/2000.00)"] {
            #expect(output.contains(expected), "missing \(expected) in:\n\(output)")
        }
        #expect(output.contains("decisions are trusted unsigned"))
    }

    @Test("with --sign-decisions the worker requires signatures: the demo's unsigned approval is refused, its signed ones apply")
    func signedDemo() throws {
        let (status, output) = try runDemo(["--sign-decisions"])
        #expect(status == 0)
        for expected in ["Decisions must be signed", "livegate decide set-ceiling t-1", "(signature_required)",
                         "signing with key dev-admin", "declaration_pending → production_approved",
                         "production_access_suspended"] {
            #expect(output.contains(expected), "missing \(expected) in:\n\(output)")
        }
        #expect(!output.contains("decisions are trusted unsigned"))
        // "(key set /tmp/livegate-dev-keys-…/keys.json)": the folder goes when dev exits.
        let keySet = try #require(output.components(separatedBy: "(key set ").dropFirst().first?.components(separatedBy: ")").first)
        let folder = (keySet as NSString).deletingLastPathComponent
        #expect(folder.contains("livegate-dev-keys-") && !FileManager.default.fileExists(atPath: folder),
                "the throwaway key outlived the run: \(folder)")
    }
}
}
