import Foundation
import LiveGateCore
import LiveGateLocal
import LiveGatePipeline
import LiveGateTestSupport
import Testing

extension PipelineTests {
    @Suite("livegate run --http: metrics, liveness, readiness")
    struct WorkerEndpointsTests {
        /// GET: the status code and the body.
        func get(_ url: String) throws -> (status: Int, body: String) {
            let response = try curl(url)
            return (response.status, response.body)
        }

        @Test("verdicts, lag and stage times on /metrics; ready only with PostgreSQL, live throughout")
        func endpoints() throws {
            let server = try PrivatePostgres.start(port: 25445)
            defer { try? server.stop() }
            let h = try PipelineHarness(partitions: 2, databaseServer: server.url)
            try h.migrate()
            let base = "http://127.0.0.1:25461"
            let worker = try WorkerProcess(h, group: "http", name: "http", arguments: ["--http", "127.0.0.1:25461"])
            let out = try h.reader()
            try #require(
                try eventually(60) { try get(base + "/readyz").status == 200 },
                "never ready: \(worker.log.suffix(2000))")
            let now = Fixtures.now()
            try h.publish([Fixtures.declaration("d", tenant: "t", at: now)])
            try #require(try out.awaitAnswers(["d"]))
            try h.publish([Fixtures.decision("a", tenant: "t", action: "approve", at: now)])
            try #require(try out.awaitAnswers(["a"]))
            try h.publish(
                (1...6).map { Fixtures.attempt("x\($0)", tenant: "t", amount: "100", at: now) } + ["not json"])
            try #require(try out.awaitAnswers((1...6).map { "x\($0)" }))

            // Each lane reports lag every 5 s, for the partitions whose position it knows: wait for the attempt
            // topic's report (another topic's may come first).
            try #require(
                try eventually(30) {
                    try get(base + "/metrics").body.contains(
                        #"livegate_consumer_lag_records{topic="sly.transaction-attempt.v1""#)
                })
            let metrics = try get(base + "/metrics")
            #expect(metrics.status == 200)
            for expected in [
                #"livegate_verdicts_total{kind="attempt",outcome="allowed",reason="none"} 5"#,
                #"livegate_verdicts_total{kind="attempt",outcome="denied",reason="exceeds_tenant_beta_ceiling_daily"} 1"#,
                #"livegate_verdicts_total{kind="decision",outcome="accepted",reason="none"} 1"#,
                #"livegate_dead_letters_total{error="invalid_json"} 1"#,
                #"livegate_consumer_lag_records{topic="sly.transaction-attempt.v1",partition="#,
                #"livegate_stage_duration_seconds_bucket{stage="apply","#, "livegate_batch_records_bucket",
                #"livegate_build_info{version="1.2.0",signed_decisions="false",signed_resolutions="false",broker_time="false"} 1"#,
                "livegate_input_records_total 9",
            ] {
                #expect(metrics.body.contains(expected), "missing \(expected) in:\n\(metrics.body.prefix(4000))")
            }
            #expect(try get(base + "/healthz").status == 200)

            // PostgreSQL gone: not ready (within a heartbeat), still live; back: ready again.
            try server.stop()
            #expect(try eventually(30) { try get(base + "/readyz").status == 503 }, "still ready without PostgreSQL")
            #expect(try get(base + "/readyz").body.contains("has no PostgreSQL"))
            #expect(try get(base + "/healthz").status == 200, "a worker waiting for PostgreSQL is live")
            try server.restart()
            #expect(
                try eventually(60) { try get(base + "/readyz").status == 200 },
                "not ready again after PostgreSQL came back")
            worker.signal(SIGTERM)
            #expect(worker.waitForExit(seconds: 30) == 0)
            h.database.drop()
        }
    }
}
