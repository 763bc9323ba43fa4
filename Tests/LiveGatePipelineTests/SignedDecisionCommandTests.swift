import Foundation
import LiveGateCore
import LiveGateLocal
import LiveGatePipeline
import LiveGateTestSupport
import Postgres
import Testing

extension PipelineTests {
    @Suite("Signed decisions through livegate keys, livegate decide and a worker given a key set")
    struct SignedDecisionCommandTests {
        @Test("an admin's signed decision is applied and its kid kept; unsigned or badly signed ones change nothing")
        func endToEnd() throws {
            let h = try PipelineHarness(partitions: 2)
            try h.migrate()
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "livegate-keys-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
            defer { try? FileManager.default.removeItem(at: folder) }
            let keyPath = folder.appendingPathComponent("admin.key").path
            let keySetPath = folder.appendingPathComponent("keys.json").path

            let generated = try WorkerProcess.run(["keys", "generate", "--kid", "admin-3", "--out", keyPath])
            #expect(generated.status == 0, "\(generated.output)")
            let mode = try FileManager.default.attributesOfItem(atPath: keyPath)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            let keySetLine = try #require(generated.output.split(separator: "\n").first { $0.hasPrefix(#"{"keys":"#) })
            try Data(keySetLine.utf8).write(to: URL(fileURLWithPath: keySetPath))
            #expect(
                try WorkerProcess.run(["keys", "generate", "--kid", "admin-3", "--out", keyPath]).status != 0,
                "an existing key file is never overwritten")

            let worker = try WorkerProcess(
                h, group: "signed", name: "signed", environment: ["LIVEGATE_DECISION_KEYS": keySetPath],
                trust: ["--allow-unsigned-resolutions", "--allow-producer-time"])
            let out = try h.reader([Topics.accessVerdict])
            try h.publish([Fixtures.declaration("d-1", tenant: "t-signed")])
            try #require(try out.awaitAnswers(["d-1"], timeoutSeconds: 60))
            try h.publish([Fixtures.decision("forged-1", tenant: "t-signed", action: "approve", at: Fixtures.now())])
            try #require(try out.awaitAnswers(["forged-1"], timeoutSeconds: 60))
            #expect(out.verdict("forged-1")?["reason"] == .string("signature_required"))
            #expect(out.verdict("forged-1")?["state"] == .string("declaration_pending"))

            let base = ["--brokers", h.broker.bootstrapServers, "--key", keyPath]
            let approved = try WorkerProcess.run(
                ["decide", "approve", "t-signed", "--kid", "admin-3", "--notes", "ok", "--per-tx", "50"] + base)
            #expect(approved.status == 0, "\(approved.output)")
            #expect(
                approved.output.contains(#""outcome":"accepted""#)
                    && approved.output.contains(#""state":"production_approved""#))
            let refused = try WorkerProcess.run(
                ["decide", "deny", "t-signed", "--kid", "admin-3", "--notes", "late"] + base)
            #expect(refused.status == 1, "a rejected decision exits 1: \(refused.output)")
            #expect(refused.output.contains("INVALID_TRANSITION"))
            let wrongKid = try WorkerProcess.run(
                ["decide", "suspend", "t-signed", "--kid", "admin-4", "--notes", "x"] + base)
            #expect(wrongKid.status == 64 && wrongKid.output.contains("holds kid admin-3"), "\(wrongKid.output)")

            let db = try PostgresConnection(url: h.database.url)
            let history = try db.query(
                "SELECT action, signing_kid FROM tenant_transitions WHERE tenant_id = 't-signed' ORDER BY id"
            ).rows
            #expect(history == [["declare", nil], ["approve", "admin-3"]])
            let ceiling = try db.query("SELECT per_tx_micros FROM tenants WHERE tenant_id = 't-signed'").rows
            #expect(ceiling == [["50000000"]])
            #expect(worker.log.contains("decisions must be signed") && worker.log.contains("admin-3"))
            worker.signal(SIGTERM)
            #expect(worker.waitForExit(seconds: 60) == 0)
            h.database.drop()
        }

        @Test("a worker refuses to start with a key set it cannot read or that is malformed")
        func badKeySet() throws {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent(
                "livegate-badkeys-\(UUID().uuidString).json"
            ).path
            try Data(#"{"keys": [{"kid": "a", "alg": "ed25519", "public_key": "short"}]}"#.utf8).write(
                to: URL(fileURLWithPath: path))
            defer { try? FileManager.default.removeItem(atPath: path) }
            for keys in [path, "/nonexistent/keys.json"] {
                let run = try WorkerProcess.run([
                    "run", "--brokers", "127.0.0.1:1", "--database-url", "postgresql://x@127.0.0.1:1/x",
                    "--decision-keys", keys, "--allow-unsigned-resolutions",
                ])
                #expect(run.status == 64, "\(run.output)")
                #expect(run.output.contains("decision key set"), "\(run.output)")
            }
        }
    }
}
