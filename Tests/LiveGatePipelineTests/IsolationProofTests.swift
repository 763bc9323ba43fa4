import Foundation
import Kafka
import LiveGateCore
import LiveGatePipeline
import LiveGateTestSupport
import Postgres
import Testing

extension PipelineTests {
    @Suite("No crash loop: records PostgreSQL refuses are isolated")
    struct IsolationProofTests {
        /// A test-only trigger in the test's own schema: PostgreSQL refuses to store any event whose id starts with
        /// `poison-`, as a constraint would refuse bad data. The product's schema knows nothing of it.
        static func poison(_ h: PipelineHarness) throws {
            let db = try PostgresConnection(url: h.database.url)
            try db.query(
                """
                CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF NEW.event_id LIKE 'poison-%' THEN
                    RAISE EXCEPTION 'poisoned record' USING ERRCODE = 'check_violation';
                  END IF;
                  RETURN NEW;
                END $$
                """)
            try db.query(
                "CREATE TRIGGER refuse_poison BEFORE INSERT ON processed_events FOR EACH ROW EXECUTE FUNCTION refuse_poison()"
            )
        }

        @Test(
            "a record made to fail for good is dead-lettered as apply_failed, every other record answered, the worker alive"
        )
        func poisonedRecords() throws {
            let h = try PipelineHarness(partitions: 2)
            try h.migrate()
            try Self.poison(h)
            let out = try h.reader()
            let worker = try WorkerProcess(h, group: "isolation", name: "isolation", batch: 200)
            let now = Fixtures.now()
            let tenants = (0..<6).map { "iso-\($0)" }
            var events: [(id: String, json: String)] = []
            for i in 0..<300 {
                let tenant = tenants[i % tenants.count]
                let id = [17, 150, 151, 299].contains(i) ? "poison-\(i)" : "ok-\(i)"
                events.append((id, Fixtures.attempt(id, tenant: tenant, amount: "1", at: now, environment: "test")))
            }
            try h.publish(events.map(\.json))
            #expect(try out.awaitAnswers(events.map(\.id), timeoutSeconds: 120))
            for (id, _) in events where id.hasPrefix("ok-") {
                #expect(out.verdict(id)?["outcome"] == .string("allowed"), "\(id)")
            }
            let letters = out.on(Topics.deadLetter)
            let poisoned = events.map(\.id).filter { $0.hasPrefix("poison-") }
            #expect(Set(letters.compactMap { $0["event_id"]?.stringValue }) == Set(poisoned))
            #expect(letters.allSatisfy { $0["error"] == .string("apply_failed") && $0["sqlstate"] == .string("23514") })
            #expect(
                letters.allSatisfy { $0["message"]?.stringValue?.contains("poisoned") == false },
                "the server's text stays out of dead letters")
            #expect(worker.waitForExit(seconds: 0) == nil, "the worker is still running:\n\(worker.log)")
            worker.signal(SIGTERM)
            #expect(worker.waitForExit(seconds: 30) == 0)
            h.database.drop()
        }

        @Test("a record that breaks a store invariant stops the worker, naming its topic, partition and offset")
        func brokenInvariant() throws {
            let h = try PipelineHarness(partitions: 1)
            try h.migrate()
            let db = try PostgresConnection(url: h.database.url)
            // Counters that drift: every update of this tenant's usage adds one micro-dollar nobody booked.
            try db.query(
                """
                CREATE FUNCTION drift() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN NEW.used_micros := NEW.used_micros + 1; RETURN NEW; END $$
                """)
            try db.query(
                "CREATE TRIGGER drift BEFORE UPDATE ON usage_windows FOR EACH ROW WHEN (NEW.tenant_id = 'drifting') EXECUTE FUNCTION drift()"
            )
            let out = try h.reader()
            let worker = try WorkerProcess(h, group: "invariant", name: "invariant")
            try h.publish([Fixtures.declaration("d", tenant: "drifting")])
            try #require(try out.awaitAnswers(["d"], timeoutSeconds: 60))  // topics are not ordered among each other
            try h.publish([Fixtures.decision("a", tenant: "drifting", action: "approve", at: Fixtures.now())])
            try #require(try out.awaitAnswers(["a"], timeoutSeconds: 60))
            let now = Fixtures.now()
            try h.publish([Fixtures.attempt("x-1", tenant: "drifting", amount: "1", at: now)])
            try #require(try out.awaitAnswers(["x-1"], timeoutSeconds: 60))  // the first booking inserts: no drift yet
            #expect(out.verdict("x-1")?["outcome"] == .string("allowed"))
            try h.publish([Fixtures.attempt("x-2", tenant: "drifting", amount: "1", at: now)])
            let status = worker.waitForExit(seconds: 60)
            #expect(status != nil && status != 0, "the worker should stop:\n\(worker.log)")
            let line = worker.log.split(separator: "\n").first { $0.contains("breaks a store invariant") }
            #expect(line?.contains("topic=\(Topics.transactionAttempt)") == true, "\(worker.log)")
            #expect(line?.contains("partition=0") == true && line?.contains("offset=1") == true, "\(line ?? "")")
            try out.read(timeoutSeconds: 2) { _ in false }
            #expect(out.verdict("x-2") == nil, "a record that breaks an invariant gets no verdict")
            h.database.drop()
        }
    }
}
