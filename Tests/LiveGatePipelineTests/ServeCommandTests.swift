import Foundation
import LiveGateCore
import LiveGateLocal
import LiveGateStore
import LiveGateTestSupport
import Postgres
import Testing

extension PipelineTests {
    @Suite("livegate serve: the production-status API")
    struct ServeCommandTests {
        /// Every scope, bound to no tenant (schemathesis calls with it).
        static let token = "serve-test-token-0123456789"
        /// status:read, bound to t-42.
        static let boundToken = "bound-t42-token-0123456789"

        /// A request through curl, with this suite's token unless told otherwise.
        func request(_ url: String, method: String = "GET", token: String? = ServeCommandTests.token)
            throws -> (status: Int, headers: String, body: String)
        {
            try curl(url, method: method, token: token)
        }

        func tokenFile() throws -> String {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("tokens-\(UUID().uuidString)").path
            // Windows line endings: each line still holds one token and its grant.
            try """
            # test tokens\r
            \(Self.token)  status:read,attempts:write,resolutions:write,admin:read\r
            \(Self.boundToken)  status:read  tenant=t-42\r
            another-token-0123456789  attempts:write\r

            """.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        @Test(
            "what the pipeline decided, as the contract's status body; 401 without a token; 400, 405; OpenAPI conformance"
        )
        func statusThroughThePipeline() throws {
            let h = try PipelineHarness(partitions: 1)
            try h.migrate()
            let base = "http://127.0.0.1:25462"
            // With brokers, so the verdict path is served too and schemathesis checks it; a wait of at most 300 ms
            // keeps its examples quick (an input repeated with other content gets no verdict, only a dead letter).
            let serve = try WorkerProcess(
                livegate: [
                    "serve", "--listen", "127.0.0.1:25462", "--database-url", h.database.url,
                    "--api-token-file", try tokenFile(), "--brokers", h.broker.bootstrapServers,
                    "--max-wait-ms", "300",
                ], name: "serve")
            try #require(
                try eventually(30) { try request(base + "/readyz").status == 200 }, "never ready: \(serve.log)")

            let worker = h.startWorker(group: "serve")
            let out = try h.reader([Topics.transactionVerdict, Topics.accessVerdict])
            let now = Fixtures.now()
            try h.publish([Fixtures.declaration("d", tenant: "t-42", at: now)])
            try #require(try out.awaitAnswers(["d"]))
            try h.publish([
                Fixtures.decision(
                    "a", tenant: "t-42", action: "approve", at: now,
                    ceiling: #"{"per_tx":"250.00","daily":null,"monthly":null}"#)
            ])
            try #require(try out.awaitAnswers(["a"]))
            try h.publish([
                Fixtures.attempt("x1", tenant: "t-42", amount: "200", at: now),
                Fixtures.attempt("x2", tenant: "t-42", amount: "30", at: now),
                Fixtures.attempt("s1", tenant: "t-42", amount: "99", at: now, environment: "test"),
            ])
            try #require(try out.awaitAnswers(["x1", "x2", "s1"]))
            try worker.stop()

            let status = try request(base + "/v1/tenants/t-42/production-status")
            #expect(status.status == 200 && status.headers.lowercased().contains("content-type: application/json"))
            let body = try JSONParser.parse(Array(status.body.utf8))
            #expect(body["state"]?.stringValue == "production_approved" && body["live_allowed"] == .bool(true))
            #expect(body["version"] == .number("2") && body["review_notes"]?.stringValue == "Reviewed")
            #expect(
                body["ceiling"]?["per_tx"]?.stringValue == "250.00"
                    && body["ceiling"]?["source"]?.stringValue == "override")
            let daily = body["usage"]?["daily"]
            // Live only: the sandbox attempt does not count.
            #expect(
                daily?["used"]?.stringValue == "230.00" && daily?["limit"]?.stringValue == "500.00"
                    && daily?["remaining"]?.stringValue == "270.00", "\(status.body)")
            #expect(body["usage"]?["monthly"]?["used"]?.stringValue == "230.00")
            #expect(daily?["resets_at"]?.stringValue?.hasSuffix("T00:00:00.000Z") == true && body["as_of"] != nil)

            let unknown = try JSONParser.parse(
                Array(try request(base + "/v1/tenants/never-seen/production-status").body.utf8))
            #expect(unknown["state"]?.stringValue == "sandbox_only" && unknown["version"] == .number("0"))

            let anonymous = try request(base + "/v1/tenants/t-42/production-status", token: nil)
            #expect(anonymous.status == 401 && anonymous.headers.contains("WWW-Authenticate: Bearer"))
            #expect(
                try request(base + "/v1/tenants/t-42/production-status", token: "wrong-token-0123456789").status == 401)
            // Scopes and tenant binding (contract v1.2); the whole table is tested in process (AccessRoutesTests).
            let own = try request(base + "/v1/tenants/production-status", token: Self.boundToken)
            let ownTenant = try JSONParser.parse(Array(own.body.utf8))["tenant_id"]?.stringValue
            #expect(own.status == 200 && ownTenant == "t-42", "\(own)")
            let foreign = try request(base + "/v1/tenants/t-43/production-status", token: Self.boundToken)
            #expect(foreign.status == 403 && foreign.body.contains(#""reason":"tenant_scope""#), "\(foreign)")
            let unscoped = try request(base + "/v1/tenants/t-42/production-status", token: "another-token-0123456789")
            #expect(unscoped.status == 403 && unscoped.body.contains(#""reason":"missing_scope""#), "\(unscoped)")
            let unbound = try request(base + "/v1/tenants/production-status")
            #expect(unbound.status == 400 && unbound.body.contains(#""reason":"tenant_required""#), "\(unbound)")
            let tooLong = String(repeating: "t", count: 129)
            #expect(try request(base + "/v1/tenants/\(tooLong)/production-status").status == 400)
            #expect(
                try request(base + "/v1/tenants/t%00x/production-status").status == 400,
                "a control character is no tenant id")
            #expect(try request(base + "/v1/tenants/t-42/production-status", method: "HEAD").status == 200)
            let post = try request(base + "/v1/tenants/t-42/production-status", method: "POST")
            #expect(post.status == 405 && post.headers.contains("Allow: GET, HEAD"))
            #expect(try request(base + "/healthz", token: nil).status == 200)
            let metrics = try request(base + "/metrics", token: nil).body
            // Three GETs (one through the token's own tenant) and a HEAD.
            #expect(
                metrics.contains(#"livegate_http_requests_total{route="production_status",status="200"} 4"#),
                "\(metrics)")
            #expect(metrics.contains("livegate_release_heavy_tenants 0"), "the release watch's gauge")
            #expect(metrics.contains("livegate_review_queue_pending "), "the review queue's gauges")
            #expect(metrics.contains("livegate_review_queue_overdue "))
            #expect(metrics.contains("livegate_review_queue_oldest_age_seconds "))
            #expect(metrics.contains(#"livegate_http_rejected_total{reason="unauthorized"} 2"#))

            // The running server against docs/openapi.yaml: schemathesis, bounded (examples, coverage, fuzzing).
            let spec = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("docs/openapi.yaml").path
            let schemathesis = try #require(Subprocess.which("schemathesis"), "deploy/setup.sh installs schemathesis")
            // schemathesis unquotes a generated path value before quoting it (to be idempotent), so a generated
            // tenant id "a%0E" goes out as a control character, which serve rightly refuses: leave "%" out of
            // generated path values (a real client sends a "%" in an id as "%25").
            let hooks = FileManager.default.temporaryDirectory.appendingPathComponent("st-hooks-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: hooks, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: hooks) }
            try """
            import schemathesis

            @schemathesis.hook
            def filter_path_parameters(context, path_parameters):
                return not any("%" in str(value) for value in (path_parameters or {}).values())
            """.write(to: hooks.appendingPathComponent("livegate_hooks.py"), atomically: true, encoding: .utf8)
            let hookEnvironment = ["SCHEMATHESIS_HOOKS": "livegate_hooks", "PYTHONPATH": hooks.path]
            // With a token of every scope, bound to no tenant; the token's-own-tenant path (400 tenant_required for
            // such a token, as the contract says) is checked apart, with a token bound to t-42.
            let check = try Subprocess.run(
                schemathesis,
                [
                    "run", spec, "--url", base, "--checks", "all", "--max-examples", "40", "--workers", "1",
                    "--seed", "1", "-H", "Authorization: Bearer \(Self.token)", "--exclude-operation-id",
                    "getOwnProductionStatus",
                    // A 202's Location holds the verdict only once a worker has decided it (none runs here): 404 until then,
                    // as documented, which this check (POST, then GET of the Location at once) takes for a lost resource.
                    "--exclude-checks", "ensure_resource_availability",
                ], environment: hookEnvironment, timeoutSeconds: 240)
            #expect(check.status == 0, "\(Subprocess.tail(check.output, label: "schemathesis", lines: 60))")
            let ownCheck = try Subprocess.run(
                schemathesis,
                [
                    "run", spec, "--url", base, "--checks", "all", "--max-examples", "10", "--workers", "1",
                    "--seed", "1", "-H", "Authorization: Bearer \(Self.boundToken)", "--include-operation-id",
                    "getOwnProductionStatus",
                ], environment: hookEnvironment, timeoutSeconds: 120)
            #expect(ownCheck.status == 0, "\(Subprocess.tail(ownCheck.output, label: "schemathesis", lines: 60))")
            h.database.drop()
        }

        @Test("tokens: a bad line stops serve with its number, no tokens only on loopback, SIGHUP reads the file again")
        func tokenFileLife() throws {
            let database = try TestDatabase.create()
            try Migrations.apply(on: try PostgresConnection(url: database.url))
            let secret = "never-in-a-log-0123456789"
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("tokens-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: path) }

            try "# tokens\n\(Self.token) status:read\n\(secret)\n".write(
                toFile: path, atomically: true, encoding: .utf8)
            let refused = try WorkerProcess.run([
                "serve", "--listen", "127.0.0.1:25471", "--database-url", database.url,
                "--api-token-file", path,
            ])
            #expect(
                refused.status != 0 && refused.output.contains("line 3") && !refused.output.contains(secret),
                "\(refused)")
            let open = try WorkerProcess.run(["serve", "--listen", "0.0.0.0:25471", "--database-url", database.url])
            #expect(open.status != 0 && open.output.contains("--allow-anonymous"), "\(open)")

            try "\(Self.token) status:read\n".write(toFile: path, atomically: true, encoding: .utf8)
            let base = "http://127.0.0.1:25470"
            let serve = try WorkerProcess(
                livegate: [
                    "serve", "--listen", "127.0.0.1:25470", "--database-url", database.url,
                    "--api-token-file", path,
                ], name: "serve-tokens")
            try #require(
                try eventually(30) { try request(base + "/readyz").status == 200 }, "never ready: \(serve.log)")
            #expect(try request(base + "/v1/tenants/t/production-status").status == 200)

            // Rotated: the new token works and the old one no longer does, without a restart.
            let rotated = "rotated-token-0123456789"
            try "\(rotated) status:read\n".write(toFile: path, atomically: true, encoding: .utf8)
            serve.signal(SIGHUP)
            #expect(
                try eventually(10) {
                    try request(base + "/v1/tenants/t/production-status", token: rotated).status == 200
                })
            #expect(try request(base + "/v1/tenants/t/production-status").status == 401)

            // A file that does not parse: the tokens in force stay, and the log says which line, not what it holds.
            try "\(rotated) status:read\n\(secret) status:write\n".write(
                toFile: path, atomically: true, encoding: .utf8)
            serve.signal(SIGHUP)
            #expect(eventually(10) { serve.log.contains("line 2") }, "\(serve.log)")
            #expect(!serve.log.contains(secret))
            #expect(try request(base + "/v1/tenants/t/production-status", token: rotated).status == 200)
            serve.signal(SIGTERM)
            #expect(serve.waitForExit(seconds: 30) == 0, "\(serve.log.suffix(2000))")
            database.drop()
        }

        @Test("PostgreSQL down: live, not ready, 503 with Retry-After; ready again when it is back")
        func databaseOutage() throws {
            let server = try PrivatePostgres.start(port: 25446)
            defer { try? server.stop() }
            let database = try TestDatabase.create(server: server.url)
            try Migrations.apply(on: try PostgresConnection(url: database.url))
            let base = "http://127.0.0.1:25463"
            let serve = try WorkerProcess(
                livegate: [
                    "serve", "--listen", "127.0.0.1:25463", "--database-url", database.url,
                    "--request-timeout-ms", "1000",
                ], name: "serve-outage")
            try #require(
                try eventually(30) { try request(base + "/readyz").status == 200 }, "never ready: \(serve.log)")
            #expect(try request(base + "/v1/tenants/t/production-status").status == 200)

            try server.stop()
            #expect(try eventually(10) { try request(base + "/readyz").status == 503 })
            let down = try request(base + "/v1/tenants/t/production-status")
            #expect(down.status == 503 && down.headers.contains("Retry-After: 1"), "\(down)")
            #expect(
                try request(base + "/healthz").status == 200,
                "an orchestrator must not restart a server waiting for PostgreSQL")

            try server.restart()
            #expect(try eventually(30) { try request(base + "/v1/tenants/t/production-status").status == 200 })
            #expect(try request(base + "/readyz").status == 200)
        }
    }
}
