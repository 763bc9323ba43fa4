import Foundation
import Kafka
import LiveGateCore
import LiveGateLocal
import LiveGateOps
import LiveGatePipeline
import LiveGateStore
import LiveGateTestSupport
import Postgres
import Testing

/// Contract v1.1 through Kafka and PostgreSQL: resolutions (with redelivery and replay), threshold notices,
/// metering while disabled, version checks, expiring overrides and the suggested ceiling, then the audit
/// trail and status as the commands print them.
extension PipelineTests {
    @Suite("Contract v1.1 end to end through Kafka")
    struct MissionEndToEndTests {
        func status(_ v: JSONValue?) -> String? {
            v.flatMap { $0["status"] }.flatMap { if case let .number(n) = $0 { n } else { nil } }
        }

        func notices(_ out: OutputWatcher, template: String) -> [JSONValue] {
            out.on(Topics.notification).filter { $0["template"]?.stringValue == template }
        }

        @Test("releases, thresholds, redelivery and replay of both: nothing counted or notified twice")
        func resolutionsAndThresholds() throws {
            let h = try PipelineHarness(partitions: 1)
            try h.migrate()
            let worker = h.startWorker()
            let out = try h.reader()
            let t = "t-v11"
            let now = Fixtures.now()
            try h.publish([Fixtures.declaration("d", tenant: t, at: now)])
            try #require(try out.awaitAnswers(["d"]))
            try h.publish([Fixtures.decision("a", tenant: t, action: "approve", at: now)])
            try #require(try out.awaitAnswers(["a"]))
            #expect(out.verdict("d")?["suggested_ceiling"]?["daily"]?.stringValue == "400.00")

            // $400 of $500: the fourth $100 crosses 80 % (owner email and in-app); the sixth is denied (and the admins told).
            try h.publish((1...6).map { Fixtures.attempt("x\($0)", tenant: t, amount: "100", at: now) })
            try #require(try out.awaitAnswers((1...6).map { "x\($0)" }))
            #expect(out.verdict("x6")?["reason"]?.stringValue == "exceeds_tenant_beta_ceiling_daily")
            // Notices travel on their own topic: read until they are in (by id: a rebalance between the worker's lanes
            // may publish a batch's outputs again, byte for byte), then require exactly these.
            func ids(_ template: String) -> Set<String> {
                Set(notices(out, template: template).compactMap { $0["notification_id"]?.stringValue })
            }
            try out.read(timeoutSeconds: 15) { _ in
                ids("ceiling_warning").count >= 2 && ids("ceiling_reached").count >= 3
            }
            #expect(ids("ceiling_warning").count == 2 && ids("ceiling_reached").count == 3)

            // A failed attempt gives its $100 back; the next $100 fits again, and crosses 80 % again: no new notice.
            try h.publish([
                Fixtures.resolution("r1", tenant: t, attempt: "x1", at: now),
                Fixtures.resolution("r-unknown", tenant: t, attempt: "nope", at: now),
                Fixtures.resolution("r-bad", tenant: t, attempt: "x2", resolution: "maybe", at: now),
            ])
            try #require(try out.awaitAnswers(["r1", "r-unknown", "r-bad"]))
            #expect(
                out.verdict("r1")?["released"]?.stringValue == "100.00"
                    && out.verdict("r1")?["subject"]?.stringValue == "resolution")
            #expect(status(out.verdict("r-unknown")) == "404" && status(out.verdict("r-bad")) == "400")
            try h.publish([
                Fixtures.attempt("x7", tenant: t, amount: "100", at: now),
                Fixtures.resolution("r2", tenant: t, attempt: "x1", resolution: "settled", at: now),
            ])
            try #require(try out.awaitAnswers(["x7", "r2"]))
            #expect(out.verdict("x7")?["outcome"]?.stringValue == "allowed")
            #expect(out.verdict("r2")?["code"]?.stringValue == "ALREADY_RESOLVED")

            // Redelivery: the same records again get the same bytes, and change nothing.
            try h.publish([
                Fixtures.resolution("r1", tenant: t, attempt: "x1", at: now),
                Fixtures.attempt("x4", tenant: t, amount: "100", at: now),
            ])
            try #require(
                try out.read(timeoutSeconds: 60) { _ in
                    out.answers[ByteID("r1")]?.count == 2 && out.answers[ByteID("x4")]?.count == 2
                })
            let db = try PostgresConnection(url: h.database.url)
            func usage() throws -> [[String?]] {
                try db.query("SELECT window_kind, used_micros FROM usage_windows ORDER BY 1").rows
            }
            #expect(try usage() == [["day", "500000000"], ["month", "500000000"]])

            // Replay of the whole partition: every verdict and notice republished identically, nothing re-applied.
            try worker.stop()
            let counts = try Replayer(
                Replayer.Request(
                    brokers: h.broker.bootstrapServers, databaseURL: h.database.url,
                    topic: Topics.transactionAttempt, partition: 0, dryRun: false, force: true,
                    liveGroup: "livegate-test", operatorName: "test",
                    rules: PipelineHarness.embeddedBrokerRules)
            ).run()
            #expect(counts.applied == 0 && counts.duplicates == counts.records && counts.records >= 13, "\(counts)")
            _ = try out.read(timeoutSeconds: 5) { _ in false }
            #expect(try usage() == [["day", "500000000"], ["month", "500000000"]])
            for (id, copies) in out.answers {
                #expect(Set(copies).count == 1, "\(id.text) was republished with other bytes")
            }
            var byId: [String: Set<[UInt8]>] = [:]
            for record in out.records where record.topic == Topics.notification {
                let id = try JSONParser.parse(record.value ?? [])["notification_id"]?.stringValue ?? "?"
                byId[id, default: []].insert(record.value ?? [])
            }
            #expect(byId.values.allSatisfy { $0.count == 1 }, "a notification id with two contents")
            #expect(
                Set(notices(out, template: "ceiling_warning").compactMap { $0["notification_id"]?.stringValue }).count
                    == 2)
            let reconcile = try Reconciler.run(url: h.database.url)
            #expect(reconcile.isClean && reconcile.releases == 1, "\(reconcile.differences)")
            h.database.drop()
        }

        @Test("versions, expiring overrides, the suggested ceiling, metering while disabled; history and status")
        func decisions() throws {
            let h = try PipelineHarness(partitions: 1)
            try h.migrate()
            let worker = h.startWorker()
            let out = try h.reader()
            let t = "t-dec"
            let start = Date()
            func at(_ seconds: Double) -> String {
                UTCInstant(millis: Int64((start.timeIntervalSince1970 + seconds) * 1000)).description
            }
            try h.publish([Fixtures.declaration("d", tenant: t, at: at(0))])
            try #require(try out.awaitAnswers(["d"]))
            try h.publish([
                Fixtures.decision("stale", tenant: t, action: "approve", at: at(0), extra: [#""expected_version":0"#]),
                Fixtures.decision(
                    "ok", tenant: t, action: "approve", at: at(0),
                    extra: [#""expected_version":1"#, #""use_suggested_ceiling":true"#]),
            ])
            try #require(try out.awaitAnswers(["stale", "ok"]))
            #expect(
                out.verdict("stale")?["code"]?.stringValue == "VERSION_CONFLICT"
                    && status(out.verdict("stale")) == "409")
            #expect(out.verdict("ok")?["state"]?.stringValue == "production_approved")
            // The suggested ceiling: $400 a day. An override of $300 per transaction for two minutes, then the default.
            try h.publish([
                Fixtures.decision(
                    "ends-at-once", tenant: t, action: "set_ceiling", at: at(0), notes: nil,
                    ceiling: #"{"per_tx":"300","expires_at":"\#(at(0))"}"#),
                Fixtures.decision(
                    "both", tenant: t, action: "approve", at: at(0), ceiling: #"{"per_tx":"5"}"#,
                    extra: [#""use_suggested_ceiling":true"#]),
                Fixtures.decision(
                    "bad-version", tenant: t, action: "suspend", at: at(0), extra: [#""expected_version":-2"#]),
                Fixtures.decision(
                    "pilot", tenant: t, action: "set_ceiling", at: at(0), notes: nil,
                    ceiling: #"{"per_tx":"300","daily":"1000","expires_at":"\#(at(120))"}"#),
            ])
            try #require(try out.awaitAnswers(["ends-at-once", "both", "bad-version", "pilot"]))
            for id in ["ends-at-once", "both", "bad-version"] {
                #expect(
                    status(out.verdict(id)) == "400"
                        && out.verdict(id)?["code"]?.stringValue == "INVALID_REQUEST_FORMAT", "\(id)")
            }
            try h.publish([
                Fixtures.attempt("big-now", tenant: t, amount: "250", at: at(0)),
                Fixtures.attempt("big-later", tenant: t, amount: "250", at: at(120)),
            ])
            try #require(try out.awaitAnswers(["big-now", "big-later"]))
            #expect(out.verdict("big-now")?["outcome"]?.stringValue == "allowed")
            #expect(
                out.verdict("big-now")?["ceiling"]?["expires_at"]?.stringValue == RFC3339.parse(at(120))!.description)
            #expect(out.verdict("big-later")?["reason"]?.stringValue == "exceeds_tenant_beta_ceiling_per_tx")
            #expect(out.verdict("big-later")?["ceiling"]?["source"]?.stringValue == "platform_default")
            // Disabled: metered, counted once enabled again.
            // One at a time: decisions and attempts are on two topics, which are not ordered with each other.
            for json in [
                Fixtures.decision(
                    "off", tenant: t, action: "set_ceiling", at: at(0), notes: nil, ceiling: #"{"disabled":true}"#),
                Fixtures.attempt("free", tenant: t, amount: "900", at: at(0)),
                Fixtures.decision(
                    "on", tenant: t, action: "set_ceiling", at: at(0), notes: nil, ceiling: #"{"disabled":false}"#),
                Fixtures.attempt("after", tenant: t, amount: "1", at: at(0)),
            ] {
                try h.publish([json])
                try #require(
                    try out.awaitAnswers([try #require(try JSONParser.parse(Array(json.utf8))["event_id"]?.stringValue)]
                    ))
            }
            #expect(out.verdict("free")?["outcome"]?.stringValue == "allowed")
            #expect(out.verdict("after")?["reason"]?.stringValue == "exceeds_tenant_beta_ceiling_daily")
            try worker.stop()

            let history = try Subprocess.run(
                WorkerProcess.executable, ["history", t, "--database-url", h.database.url, "--json"],
                timeoutSeconds: 30)
            let entries = try JSONParser.parse(Array(history.output.utf8))["entries"]
            guard case let .array(list)? = entries else { Issue.record("no history: \(history.output)"); return }
            #expect(
                list.map { $0["action"]?.stringValue ?? "" } == [
                    "declare", "approve", "set_ceiling", "set_ceiling", "set_ceiling",
                ])
            #expect(
                list[1]["ceiling_after"]?["daily"]?.stringValue == "400.00"
                    && list[1]["ceiling_before"]?["daily"] == .null)
            #expect(list[2]["ceiling_after"]?["expires_at"]?.stringValue == RFC3339.parse(at(120))!.description)
            let text = try Subprocess.run(
                WorkerProcess.executable, ["status", t, "--database-url", h.database.url], timeoutSeconds: 30)
            #expect(
                text.output.contains("suggested    $100.00 per tx, $400.00 per day, $1500.00 per month"),
                "\(text.output)")
            #expect(text.output.contains("version      5"), "\(text.output)")
            h.database.drop()
        }
    }
}
