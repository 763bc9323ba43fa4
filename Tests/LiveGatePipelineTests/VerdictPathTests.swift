import Foundation
import Kafka
import LiveGateCore
import LiveGateHTTP
import LiveGateLocal
import LiveGateTestSupport
import Testing

extension PipelineTests {
    @Suite("livegate serve: one call for a money path")
    struct VerdictPathTests {
        static let partitions = 2

        /// Records on the attempt topic, all partitions.
        func attemptsPublished(_ h: PipelineHarness) throws -> Int64 {
            let probe = try KafkaConsumer(brokers: h.broker.bootstrapServers, reading: [:])
            return try (0..<Int32(Self.partitions)).reduce(0) {
                $0 + (try probe.watermarks(TopicPartition(topic: Topics.transactionAttempt, partition: $1)).high)
            }
        }

        @Test(
            "200 with the verdict's bytes, the same again on repeat, 202 then GET, 400 publishes nothing, a resolution")
        func oneCall() throws {
            let h = try PipelineHarness(partitions: Self.partitions)
            try h.migrate()
            var worker = h.startWorker(group: "verdict-path")
            let out = try h.reader([Topics.transactionVerdict, Topics.accessVerdict])
            let now = Fixtures.now()
            try h.publish([Fixtures.declaration("d", tenant: "t-7", at: now)])
            try #require(try out.awaitAnswers(["d"]))
            try h.publish([Fixtures.decision("a", tenant: "t-7", action: "approve", at: now)])
            try #require(try out.awaitAnswers(["a"]))

            let base = "http://127.0.0.1:25467"
            let serve = try WorkerProcess(
                livegate: [
                    "serve", "--listen", "127.0.0.1:25467", "--database-url", h.database.url,
                    "--brokers", h.broker.bootstrapServers,
                ], name: "serve-verdicts")
            try #require(try eventually(30) { try curl(base + "/readyz").status == 200 }, "never ready: \(serve.log)")

            // Allowed: the body is the verdict exactly as the topic carries it.
            let attempt = Fixtures.attempt("p-1", tenant: "t-7", amount: "40", at: now)
            let allowed = try curl(base + "/v1/transaction-attempts?wait_ms=8000", method: "POST", body: attempt)
            #expect(allowed.status == 200, "\(allowed)\n\(serve.log.suffix(2000))")
            try #require(try out.awaitAnswers(["p-1"]))
            let published = try #require(out.answers[ByteID("p-1")]?.first)
            #expect(Array(allowed.body.utf8) == published)
            #expect(try JSONParser.parse(published)["outcome"]?.stringValue == "allowed")

            // The same request again: the same bytes (the worker answers the repeat from the store).
            let again = try curl(base + "/v1/transaction-attempts?wait_ms=8000", method: "POST", body: attempt)
            #expect(again.status == 200 && Array(again.body.utf8) == published)

            // The same event_id with other content: 409 at once (from the dead letter), pointing at the verdict that
            // stands; nothing is spent.
            let conflicting = Fixtures.attempt("p-1", tenant: "t-7", amount: "41", at: now)
            let conflict = try curl(base + "/v1/transaction-attempts?wait_ms=8000", method: "POST", body: conflicting)
            #expect(
                conflict.status == 409 && conflict.body.contains("\"idempotency_conflict\"")
                    && conflict.headers.contains("Location: /v1/tenants/t-7/transaction-attempts/p-1"), "\(conflict)")

            // The largest body serve takes is published and decided; one byte more is 413.
            let head = String(attempt.replacingOccurrences(of: "p-1", with: "p-big").dropLast()) + #","note":""#
            let largest = head + String(repeating: "x", count: Intake.maxBodyBytes - head.utf8.count - 2) + "\"}"
            #expect(largest.utf8.count == Intake.maxBodyBytes)
            let big = try curl(base + "/v1/transaction-attempts?wait_ms=8000", method: "POST", body: largest)
            #expect(big.status == 200, "\(big.status) \(big.body.prefix(300))")
            let tooBig = try curl(base + "/v1/transaction-attempts", method: "POST", body: largest + " ")
            #expect(tooBig.status == 413, "\(tooBig.status) \(tooBig.body.prefix(300))")

            // A ceiling denial comes back the same way.
            let denied = try curl(
                base + "/v1/transaction-attempts?wait_ms=8000", method: "POST",
                body: Fixtures.attempt("p-2", tenant: "t-7", amount: "150", at: now))
            let reason = try JSONParser.parse(Array(denied.body.utf8))["reason"]?.stringValue
            #expect(denied.status == 200 && reason == "exceeds_tenant_beta_ceiling_per_tx", "\(denied)")

            // wait_ms=0: 202 and where to look; the verdict is there once the worker has answered.
            let pending = try curl(
                base + "/v1/transaction-attempts?wait_ms=0", method: "POST",
                body: Fixtures.attempt("p 3/x", tenant: "t-7", amount: "5", at: now))
            #expect(
                pending.status == 202
                    && pending.headers.contains("Location: /v1/tenants/t-7/transaction-attempts/p%203%2Fx"),
                "\(pending)")
            #expect(
                try JSONParser.parse(Array(pending.body.utf8))
                    == .object([("event_id", .string("p 3/x")), ("state", .string("pending"))]))
            try #require(try out.awaitAnswers(["p 3/x"]))
            let stored = try curl(base + "/v1/tenants/t-7/transaction-attempts/p%203%2Fx")
            #expect(stored.status == 200 && Array(stored.body.utf8) == out.answers[ByteID("p 3/x")]?.first, "\(stored)")
            // Stored verdicts live under their tenant and their kind; the tenant-less path of v1.1 is gone.
            #expect(try curl(base + "/v1/tenants/t-7/transaction-attempts/never-posted").status == 404)
            #expect(
                try curl(base + "/v1/tenants/t-8/transaction-attempts/p%203%2Fx").status == 404, "another tenant's id")
            #expect(
                try curl(base + "/v1/tenants/t-7/transaction-resolutions/p%203%2Fx").status == 404,
                "an attempt is no resolution")
            #expect(try curl(base + "/v1/transaction-attempts/p%203%2Fx").status == 404)

            // Bodies that cannot be addressed: 400 with the reason, and nothing reaches the topic.
            let before = try attemptsPublished(h)
            for (body, code) in [
                ("{not json", "not_json"), (#"{"event_id":"q","tenant_id":"t-7"}"#, "wrong_type"),
                (#"{"event_id":"","type":"transaction.attempted","tenant_id":"t-7"}"#, "invalid_event_id"),
                (Fixtures.resolution("q", tenant: "t-7", attempt: "p-1"), "wrong_type"),
            ] {
                let refused = try curl(base + "/v1/transaction-attempts", method: "POST", body: body)
                #expect(refused.status == 400 && refused.body.contains("\"\(code)\""), "\(body): \(refused)")
            }
            #expect(
                try curl(base + "/v1/transaction-attempts?wait_ms=10001", method: "POST", body: attempt).status == 400)
            #expect(try attemptsPublished(h) == before, "a refused body was published")

            // Headroom back: the failed attempt's 40.00 is released.
            let resolution = try curl(
                base + "/v1/transaction-resolutions?wait_ms=8000", method: "POST",
                body: Fixtures.resolution("r-1", tenant: "t-7", attempt: "p-1", at: now))
            let released = try JSONParser.parse(Array(resolution.body.utf8))
            #expect(
                resolution.status == 200 && released["subject"]?.stringValue == "resolution"
                    && released["released"]?.stringValue == "40.00", "\(resolution)")
            #expect(try curl(base + "/v1/tenants/t-7/transaction-resolutions/r-1").body == resolution.body)
            #expect(try curl(base + "/v1/transaction-resolutions/r-1").status == 404)
            // A resolution's 202 points at the resolutions collection (v1.1 said transaction-attempts for both).
            let pendingResolution = try curl(
                base + "/v1/transaction-resolutions?wait_ms=0", method: "POST",
                body: Fixtures.resolution("r-2", tenant: "t-7", attempt: "p-2", at: now))
            #expect(
                pendingResolution.status == 202
                    && pendingResolution.headers.contains("Location: /v1/tenants/t-7/transaction-resolutions/r-2"),
                "\(pendingResolution)")

            // Two inputs under one event_id in flight at once: with the worker stopped, the first is published
            // (202) and the second waits; once the worker runs, the first's verdict comes while the second still
            // waits, and the second gets 409 from its dead letter, never the first's verdict (which carries the
            // first input's fingerprint).
            try worker.stop()
            let attemptsBefore = try attemptsPublished(h)
            let pending5 = try curl(
                base + "/v1/transaction-attempts?wait_ms=0", method: "POST",
                body: Fixtures.attempt("p-5", tenant: "t-7", amount: "5", at: now))
            #expect(pending5.status == 202, "\(pending5)")
            let secondDone = DispatchSemaphore(value: 0)
            nonisolated(unsafe) var second = (status: 0, headers: "", body: "")
            Thread {
                // As a caller would: a 202 (the worker took over 10 s to rejoin) is posted again, same body.
                for _ in 0..<3 where second.status == 0 || second.status == 202 {
                    second =
                        (try? curl(
                            base + "/v1/transaction-attempts?wait_ms=10000", method: "POST",
                            body: Fixtures.attempt("p-5", tenant: "t-7", amount: "6", at: now))) ?? second
                }
                secondDone.signal()
            }.start()
            // The second request registers before it publishes: once its record is on the topic, it waits.
            #expect(try eventually(10) { try attemptsPublished(h) == attemptsBefore + 2 })
            worker = h.startWorker(group: "verdict-path")
            #expect(secondDone.wait(timeout: .now() + 60) == .success)
            #expect(second.status == 409 && second.body.contains("\"idempotency_conflict\""), "\(second)")
            try #require(try out.awaitAnswers(["p-5"]))
            #expect(try JSONParser.parse(out.answers[ByteID("p-5")]!.first!)["amount"]?.stringValue == "5.00")

            // Brokers away: 503 within the call's bound (not after message.timeout.ms, 30 s), and a retry with
            // the same event_id once they are back gets the verdict, however many copies reached the topic.
            h.broker.setBroker(1, up: false)
            let outage = Fixtures.attempt("p-4", tenant: "t-7", amount: "3", at: now)
            let started = Date()
            let refused = try curl(base + "/v1/transaction-attempts?wait_ms=300", method: "POST", body: outage)
            #expect(
                refused.status == 503 && refused.body.contains("kafka_unavailable")
                    && refused.headers.contains("Retry-After"),
                "\(refused)")
            #expect(Date().timeIntervalSince(started) < 4, "the call took \(Date().timeIntervalSince(started)) s")
            h.broker.setBroker(1, up: true)
            let back = Date()
            var retried = (status: 0, headers: "", body: "")
            #expect(
                try eventually(40) {
                    retried = try curl(base + "/v1/transaction-attempts?wait_ms=5000", method: "POST", body: outage)
                    return retried.status == 200
                }, "\(retried)\n\(serve.log.suffix(2000))")
            print(
                "one call: brokers back, the retried call answered 200 after \(String(format: "%.1f", Date().timeIntervalSince(back))) s (the worker rejoining its group; earlier retries got 202 or 503)"
            )
            try #require(try out.awaitAnswers(["p-4"]))
            #expect(Array(retried.body.utf8) == out.answers[ByteID("p-4")]?.first)

            serve.signal(SIGTERM)
            #expect(serve.waitForExit(seconds: 30) == 0, "\(serve.log.suffix(2000))")
            try worker.stop()
            h.database.drop()
        }
    }
}
