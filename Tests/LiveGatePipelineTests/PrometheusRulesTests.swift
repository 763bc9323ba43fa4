import Foundation
import LiveGateCore
import LiveGateLocal
import LiveGateTestSupport
import Testing

extension PipelineTests {
    @Suite("deploy/prometheus and deploy/grafana against a running worker and serve")
    struct PrometheusRulesTests {
        static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let http = ServeCommandTests()

        /// An instant query's result series, through Prometheus' HTTP API.
        func query(_ base: String, _ expression: String) throws -> [JSONValue]? {
            let outcome = try Subprocess.run(
                "/usr/bin/curl",
                [
                    "-s", "-m", "5", "-G", base + "/api/v1/query",
                    "--data-urlencode", "query=\(expression)",
                ], timeoutSeconds: 10)
            guard let json = try? JSONParser.parse(Array(outcome.output.utf8)),
                json["status"]?.stringValue == "success",
                case let .array(series)? = json["data"]?["result"]
            else { return nil }
            return series
        }

        func rules(_ base: String) throws -> [JSONValue] {
            let body = try http.request(base + "/api/v1/rules", token: nil).body
            guard case let .array(groups)? = try JSONParser.parse(Array(body.utf8))["data"]?["groups"] else {
                return []
            }
            return groups.flatMap { group -> [JSONValue] in
                guard case let .array(rules)? = group["rules"] else { return [] }
                return rules
            }
        }

        @Test("every alert rule evaluates with health ok, every dashboard query returns data")
        func rulesAndDashboard() throws {
            let prometheus = try #require(
                Subprocess.which("prometheus"), "deploy/setup.sh --for-tests installs prometheus")
            let h = try PipelineHarness(partitions: 2)
            try h.migrate()
            let worker = try WorkerProcess(
                h, group: "prom", name: "prom-worker", arguments: ["--http", "127.0.0.1:25464"])
            let serve = try WorkerProcess(
                livegate: [
                    "serve", "--listen", "127.0.0.1:25465", "--database-url", h.database.url,
                    "--api-token-file", try http.tokenFile(),
                ], name: "prom-serve")
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "prometheus-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let config = directory.appendingPathComponent("prometheus.yml").path
            try """
            global: {scrape_interval: 1s, evaluation_interval: 1s}
            rule_files: ["\(Self.repository.appendingPathComponent("deploy/prometheus/alerts.yml").path)"]
            scrape_configs:
              - {job_name: livegate-worker, static_configs: [{targets: ["127.0.0.1:25464"]}]}
              - {job_name: livegate-serve, static_configs: [{targets: ["127.0.0.1:25465"]}]}
            """.write(toFile: config, atomically: true, encoding: .utf8)
            let server = try WorkerProcess(
                executable: prometheus,
                [
                    "--config.file=\(config)", "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
                    "--web.listen-address=127.0.0.1:25466",
                ], name: "prometheus")
            let base = "http://127.0.0.1:25466"

            // Traffic for every kind of series: verdicts, a dead letter, a repeat answered from the store, status reads.
            let out = try h.reader()
            try #require(
                try eventually(60) { try http.request("http://127.0.0.1:25464/readyz").status == 200 }, "\(worker.log)")
            let now = Fixtures.now()
            try h.publish([Fixtures.declaration("d", tenant: "t", at: now)])
            try #require(try out.awaitAnswers(["d"]))
            try h.publish([Fixtures.decision("a", tenant: "t", action: "approve", at: now)])
            try #require(try out.awaitAnswers(["a"]))
            let attempt = Fixtures.attempt("x", tenant: "t", amount: "10", at: now)
            try h.publish([attempt, "not json"])
            try #require(try out.awaitAnswers(["x"]))
            try h.publish([attempt])
            try #require(try out.read { _ in out.verdicts("x").count >= 2 })
            // A failed payment given back (the worker allows unsigned resolutions): the resolution and release
            // series, and for serve a tenant that released all it booked today (the heavy-tenant gauge).
            try h.publish([Fixtures.resolution("r", tenant: "t", attempt: "x", at: now)])
            try #require(try out.awaitAnswers(["r"]))
            try #require(
                try eventually(30) { try http.request("http://127.0.0.1:25465/readyz").status == 200 }, "\(serve.log)")
            for _ in 0..<5 {
                _ = try http.request("http://127.0.0.1:25465/v1/tenants/t/production-status")
                _ = try http.request("http://127.0.0.1:25465/v1/tenants/t/production-status", token: nil)
            }

            // Every rule of alerts.yml loaded and evaluated cleanly (a bad expression or label makes health "err").
            let alertNames = try Subprocess.run(
                "/usr/bin/env",
                ["python3", Self.repository.appendingPathComponent("deploy/prometheus/queries.py").path],
                timeoutSeconds: 30
            ).output
                .split(separator: "\n").map {
                    $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                }
            let alerts = Set(alertNames.filter { $0.first == "alert" }.map { $0[1] })
            let queries = alertNames.filter { $0.first == "query" && $0.count == 3 }.map {
                (title: $0[1], expression: $0[2])
            }
            try #require(alerts.count >= 9 && queries.count >= 10, "queries.py printed \(alertNames)")
            try #require(
                try eventually(60) {
                    let evaluated = try rules(base).filter {
                        $0["health"]?.stringValue == "ok" && $0["lastEvaluation"]?.stringValue?.hasPrefix("20") == true
                    }
                    return Set(evaluated.compactMap { $0["name"]?.stringValue }).isSuperset(of: alerts)
                }, "rules not all ok: \((try? rules(base)) ?? []) \(server.log.suffix(2000))")

            // Two scrapes at least past the traffic, so rate() has samples, and the lanes' lag reports (every 5 s,
            // once a lane knows its positions) scraped; then every dashboard query has data, and without its
            // `or vector(0)` fallback too, unless it is about failures this run did not have.
            let failureOnly = ["isolated", "retries", "stalled", "reconnects"]
            try #require(
                try eventually(90) {
                    try query(base, #"sum(rate(livegate_http_requests_total[1m]))"#)?.isEmpty == false
                        && query(base, #"sum(rate(livegate_verdicts_total[1m]))"#)?.isEmpty == false
                        && query(base, #"sum by (topic) (livegate_consumer_lag_records)"#)?.isEmpty == false
                }, "no lag or rates scraped: \(worker.log.suffix(1500))")
            for (title, expression) in queries {
                #expect(try query(base, expression)?.isEmpty == false, "\(title): \(expression)")
                let core = expression.replacingOccurrences(of: " or on() vector(0)", with: "")
                if !failureOnly.contains(where: { core.contains($0) }) {
                    #expect(try query(base, core)?.isEmpty == false, "\(title) has no data of its own: \(core)")
                }
            }
            h.database.drop()
        }
    }
}
