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
            let log = FileManager.default.temporaryDirectory.appendingPathComponent(
                "livegate-dev-\(UUID().uuidString).log"
            ).path
            let pid = try Subprocess.spawn(
                WorkerProcess.executable, ["dev", "--demo", "--exit-after-demo"] + extra,
                environment: ["LIVEGATE_DATABASE_URL": database.url],
                removing: ["LIVEGATE_BROKERS"], output: log)
            let status = Subprocess.wait(pid, seconds: 120)
            if status == nil { kill(pid, SIGKILL) }
            return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
        }

        /// What every run of the story shows, signed or not.
        static let story = [
            "Kafka bootstrap", "declaration accepted 202", "production_access_approved",
            "exceeds_tenant_beta_ceiling_per_tx", "exceeds_tenant_beta_ceiling_daily",
            "exceeds_tenant_beta_ceiling_monthly", "monthly 2000.00/2000.00",
            "production_access_suspended", "live_access_not_approved",
            "ceiling_warning (daily 442.50/500.00)", "ceiling_reached (daily 442.50/500.00)",
            "resolution failed  accepted 200  released $100.00", "ceiling_warning (monthly",
            "ceiling_reached (monthly 2000.00/2000.00)",
            // The declaration waits in the review queue before the approval, with its owner and use case.
            "the review queue (livegate queue)", "TENANT", "Ada <owner@example.com>",
            "Agents paying x402 APIs for our research product", "1 pending, 0 overdue",
            // Denials say what is possible now; the agent denied $60 retries with what its verdict allowed.
            "exceeds_tenant_beta_ceiling_per_tx     per_tx limit 100.00     max_amount_now 100.00, waiting does not help",
            "max_amount_now 57.50, retry_at ", "the agent asks for $57.50 instead",
            "live $57.50     allowed  200", "daily 500.00/500.00", "max_amount_now 0.00, retry_at ",
            // The admin simulates the raise before making it.
            "livegate simulate ", " --per-tx 250.00 --daily 3000.00:", "newly allowed  2 attempts, $210.00",
            "Nothing was changed or published.",
        ]

        @Test(
            "the demo runs signed by default, with throwaway keys, against its own embedded broker, and shows every ceiling being hit"
        )
        func demo() throws {
            let (status, output) = try runDemo()
            #expect(status == 0)
            for expected in Self.story + [
                "Decisions and failed resolutions must be signed",
                "Producer timestamps are trusted: the embedded broker keeps them",
                // The worker requires signatures: the forged approval is refused, the admin's signed one applies.
                "(signature_required)", "signing with key dev-admin", "declaration_pending → production_approved",
                "signing with key dev-settlement", "without settlement's key",
                "livegate decide set-ceiling t-1 --daily 300 --key /", "--kid dev-admin",
                "livegate resolve t-1 att-1 failed --key /", "--kid dev-settlement",
            ] {
                #expect(output.contains(expected), "missing \(expected) in:\n\(output)")
            }
            #expect(!output.contains("decisions are trusted unsigned"))
            let queueShown = output.range(of: "the review queue (livegate queue)")?.lowerBound
            let approved = output.range(of: "declaration_pending → production_approved")?.lowerBound
            #expect(
                queueShown != nil && approved != nil && queueShown! < approved!,
                "the queue is shown after the declaration, before the approval")
            let simulated = output.range(of: "livegate simulate ")?.lowerBound
            let raised = output.range(of: "production_approved → production_approved")?.lowerBound
            #expect(
                simulated != nil && raised != nil && simulated! < raised!,
                "the raise is simulated before it is made")
            // "decision key set     /tmp/livegate-dev-keys-…/decision-keys.json": the folder goes when dev exits.
            let keySet = try #require(
                output.components(separatedBy: "decision key set ").dropFirst().first?
                    .trimmingCharacters(in: .whitespaces).components(separatedBy: " ").first)
            let folder = (keySet as NSString).deletingLastPathComponent
            #expect(
                folder.contains("livegate-dev-keys-") && !FileManager.default.fileExists(atPath: folder),
                "the throwaway keys outlived the run: \(folder)")
        }

        @Test("--unsigned runs the story without key sets, and the worker says that decisions are trusted unsigned")
        func unsignedDemo() throws {
            let (status, output) = try runDemo(["--unsigned"])
            #expect(status == 0)
            for expected in Self.story + ["Unsigned (--unsigned)", "decisions are trusted unsigned"] {
                #expect(output.contains(expected), "missing \(expected) in:\n\(output)")
            }
            for absent in ["signature_required", "livegate decide", "livegate resolve", "dev-admin"] {
                #expect(!output.contains(absent), "\(absent) in an unsigned run:\n\(output)")
            }
        }

        @Test("--sign-decisions, the default since v1.2, is still accepted, and contradicts --unsigned")
        func signDecisionsFlag() throws {
            let both = try WorkerProcess.run(["dev", "--sign-decisions", "--unsigned"])
            #expect(
                both.status == 64 && both.output.contains("--unsigned and --sign-decisions contradict each other"),
                "\(both.output)")
        }
    }
}
