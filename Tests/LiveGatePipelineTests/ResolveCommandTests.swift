import Foundation
import LiveGateCore
import LiveGateLocal
import LiveGatePipeline
import LiveGateTestSupport
import Postgres
import Testing

extension PipelineTests {
    /// `livegate resolve` against a worker given settlement's key set (contract v1.2, "Resolutions that give
    /// headroom back are signed and bounded").
    @Suite("Signed resolutions through livegate resolve and a worker given --resolution-keys")
    struct ResolveCommandTests {
        /// A key made by `livegate keys generate`, and a key set holding only it.
        struct GeneratedKey {
            let kid: String
            let keyPath: String
            let keySetPath: String

            init(kid: String, in folder: URL) throws {
                self.kid = kid
                keyPath = folder.appendingPathComponent("\(kid).key").path
                keySetPath = folder.appendingPathComponent("\(kid)-set.json").path
                let generated = try WorkerProcess.run(["keys", "generate", "--kid", kid, "--out", keyPath])
                try #require(generated.status == 0, "\(generated.output)")
                let keySet = try #require(generated.output.split(separator: "\n").first { $0.hasPrefix(#"{"keys":"#) })
                try Data(keySet.utf8).write(to: URL(fileURLWithPath: keySetPath))
            }
        }

        /// A pipeline with one approved tenant `tenant` and a worker that checks failed resolutions against
        /// settlement's key set; decisions unsigned, producer time allowed (the embedded broker keeps it).
        final class Rig {
            let h: PipelineHarness
            let folder: URL
            let settlement: GeneratedKey
            let worker: WorkerProcess
            let out: OutputWatcher
            let tenant: String

            init(tenant: String) throws {
                self.tenant = tenant
                h = try PipelineHarness(partitions: 2)
                try h.migrate()
                folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                    "livegate-resolve-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
                settlement = try GeneratedKey(kid: "settlement-1", in: folder)
                worker = try WorkerProcess(
                    h, group: "resolve", name: "resolve",
                    trust: [
                        "--resolution-keys", settlement.keySetPath, "--allow-unsigned-decisions",
                        "--allow-producer-time",
                    ])
                out = try h.reader([Topics.accessVerdict, Topics.transactionVerdict, Topics.deadLetter])
                try h.publish([Fixtures.declaration("d-1", tenant: tenant, at: Fixtures.now())])
                try #require(try out.awaitAnswers(["d-1"]))
                try h.publish([Fixtures.decision("a-1", tenant: tenant, action: "approve", at: Fixtures.now())])
                try #require(try out.awaitAnswers(["a-1"]))
                try #require(
                    out.verdict("a-1")?["outcome"] == .string("accepted"), "\(String(describing: out.verdict("a-1")))")
            }

            /// Publishes a live attempt of `amount` and requires it allowed.
            func book(_ attemptId: String, _ amount: String) throws {
                try h.publish([Fixtures.attempt(attemptId, tenant: tenant, amount: amount, at: Fixtures.now())])
                try #require(try out.awaitAnswers([attemptId]))
                try #require(out.verdict(attemptId)?["outcome"] == .string("allowed"))
            }

            /// `livegate resolve` for this tenant, with `key` (default settlement's).
            func resolve(
                _ attemptId: String, _ resolution: String, key: GeneratedKey? = nil,
                _ extra: [String] = []
            ) throws -> (status: Int32?, output: String) {
                let key = key ?? settlement
                return try WorkerProcess.run(
                    [
                        "resolve", tenant, attemptId, resolution, "--key", key.keyPath, "--kid", key.kid,
                        "--brokers", h.broker.bootstrapServers,
                    ] + extra)
            }

            /// What today's window holds for the tenant, in micro-dollars.
            func usedToday() throws -> [[String?]] {
                try PostgresConnection(url: h.database.url).query(
                    "SELECT used_micros FROM usage_windows WHERE tenant_id = $1 AND window_kind = 'day'", [tenant]
                ).rows
            }

            deinit {
                worker.signal(SIGTERM)
                _ = worker.waitForExit(seconds: 60)
                try? FileManager.default.removeItem(at: folder)
                h.database.drop()
            }
        }

        /// The verdict line of `resolve`'s output (the line after "published …").
        static func verdict(_ output: String) -> JSONValue? {
            output.split(separator: "\n").first { $0.hasPrefix("{") }.flatMap { try? JSONParser.parse(Array($0.utf8)) }
        }

        @Test(
            "settlement's signed failed resolution releases what the attempt booked; its id again is a conflict, a second is ALREADY_RESOLVED"
        )
        func releases() throws {
            let rig = try Rig(tenant: "t-resolve")
            try rig.book("att-1", "40")
            #expect(try rig.usedToday() == [["40000000"]])

            let released = try rig.resolve("att-1", "failed", ["--event-id", "res-1"])
            #expect(released.status == 0, "\(released.output)")
            #expect(
                released.output.hasPrefix("published res-1 for t-resolve, signed with settlement-1\n"),
                "\(released.output)")
            let verdict = try #require(Self.verdict(released.output), "\(released.output)")
            #expect(verdict["subject"] == .string("resolution") && verdict["outcome"] == .string("accepted"))
            #expect(verdict["released"] == .string("40.00") && verdict["attempt_id"] == .string("att-1"))
            #expect(try rig.usedToday() == [["0"]])

            // The same event id again signs another event (occurred_at is now): a conflict, the first verdict stands.
            let repeated = try rig.resolve("att-1", "failed", ["--event-id", "res-1"])
            #expect(repeated.status == 1, "\(repeated.output)")
            #expect(Self.verdict(repeated.output)?["error"] == .string("idempotency_conflict"), "\(repeated.output)")

            let second = try rig.resolve("att-1", "failed")
            #expect(second.status == 1, "a rejected resolution exits 1: \(second.output)")
            #expect(Self.verdict(second.output)?["code"] == .string("ALREADY_RESOLVED"), "\(second.output)")

            // settled needs no release and books nothing back.
            try rig.book("att-2", "10")
            let settled = try rig.resolve("att-2", "settled")
            let settledVerdict = Self.verdict(settled.output)
            #expect(
                settled.status == 0 && ["0", "0.00"].contains(settledVerdict?["released"]?.stringValue),
                "\(settled.output)")
            #expect(try rig.usedToday() == [["10000000"]])

            let wrongKid = try rig.resolve("att-2", "failed", ["--kid", "settlement-2"])
            #expect(
                wrongKid.status == 64 && wrongKid.output.contains("holds kid settlement-1, not settlement-2"),
                "\(wrongKid.output)")

            // No worker, no verdict: exit 2 within --wait, saying how to ask again.
            rig.worker.signal(SIGTERM)
            #expect(rig.worker.waitForExit(seconds: 60) == 0)
            let unanswered = try rig.resolve("att-2", "failed", ["--wait", "2", "--event-id", "res-late"])
            #expect(unanswered.status == 2, "\(unanswered.output)")
            #expect(
                unanswered.output.contains("No verdict for res-late within 2 s")
                    && unanswered.output.contains("look for event_id res-late on sly.transaction-verdict.v1"),
                "\(unanswered.output)")
        }

        /// Needs the core of contract v1.2 (workers that check failed resolutions against --resolution-keys).
        @Test(
            "with --resolution-keys, a failed resolution not signed by settlement releases nothing: unknown key 403, unsigned 403"
        )
        func refusesOtherSigners() throws {
            let rig = try Rig(tenant: "t-forged")
            let rogue = try GeneratedKey(kid: "money-path-1", in: rig.folder)
            try rig.book("att-1", "25")

            let forged = try rig.resolve("att-1", "failed", key: rogue)
            #expect(forged.status == 1, "\(forged.output)")
            let verdict = try #require(Self.verdict(forged.output), "\(forged.output)")
            #expect(
                verdict["status"] == .number("403") && verdict["code"] == .string("FORBIDDEN")
                    && verdict["reason"] == .string("unknown_signing_key"), "\(forged.output)")

            try rig.h.publish([
                Fixtures.resolution("unsigned-1", tenant: rig.tenant, attempt: "att-1", at: Fixtures.now())
            ])
            try #require(try rig.out.awaitAnswers(["unsigned-1"]))
            #expect(rig.out.verdict("unsigned-1")?["reason"] == .string("signature_required"))
            #expect(try rig.usedToday() == [["25000000"]], "a refused release gave headroom back")

            // Neither counted as the attempt's resolution: settlement's own still releases it.
            let signed = try rig.resolve("att-1", "failed")
            #expect(
                signed.status == 0 && Self.verdict(signed.output)?["released"] == .string("25.00"), "\(signed.output)")
            #expect(try rig.usedToday() == [["0"]])
        }

        /// Needs the core of contract v1.2, as above.
        @Test("livegate dev's demo shows a money path's unsigned release refused and settlement's signed one applied")
        func demoRefusesForgedRelease() throws {
            let output = try DevCommandTests().runDemo().output
            #expect(output.contains("resolution failed  rejected 403  signature_required"), "\(output)")
            #expect(output.contains("resolution failed  accepted 200  released $100.00"), "\(output)")
        }
    }
}
