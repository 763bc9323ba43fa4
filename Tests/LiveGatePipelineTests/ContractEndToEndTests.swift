import Foundation
import Kafka
import LiveGateCore
import LiveGateTestSupport
import Testing

/// The contract through Kafka: a real broker protocol, a real PostgreSQL, a worker in between.
extension PipelineTests {
    @Suite("The contract end to end through Kafka")
    struct ContractEndToEndTests {
        func status(_ v: JSONValue?) -> String? {
            v.flatMap { $0["status"] }.flatMap { if case let .number(n) = $0 { n } else { nil } }
        }

        @Test("declaration, approval, ceilings, suspension, reinstatement, override, test environment")
        func lifecycle() throws {
            let h = try PipelineHarness(partitions: 3)
            try h.migrate()
            let worker = h.startWorker()
            let out = try h.reader()
            let t = "t-42"
            let now = Fixtures.now()  // one instant for every attempt: one UTC day, whenever the test runs

            // Declarations: each rejection, then accepted with the review-queue notification.
            try h.publish([
                Fixtures.declaration("d-member", tenant: t, role: "member"),
                Fixtures.declaration("d-short", tenant: t, useCase: "too short"),
            ])
            try #require(try out.awaitAnswers(["d-member", "d-short"]))
            #expect(out.verdict("d-member")?["code"]?.stringValue == "FORBIDDEN")
            #expect(status(out.verdict("d-short")) == "400")
            try h.publish([Fixtures.declaration("d-ok", tenant: t)])
            try #require(try out.awaitAnswers(["d-ok"]))
            #expect(status(out.verdict("d-ok")) == "202")
            try h.publish([Fixtures.declaration("d-again", tenant: t)])
            try #require(try out.awaitAnswers(["d-again"]))
            #expect(out.verdict("d-again")?["reason"]?.stringValue == "state_does_not_allow_declaration")

            // Approval by a non-admin is refused; by an admin it notifies the owner and updates the status.
            try h.publish([
                Fixtures.decision("a-user", tenant: t, action: "approve", at: Fixtures.now(), actorKind: "user")
            ])
            try #require(try out.awaitAnswers(["a-user"]))
            #expect(out.verdict("a-user")?["code"]?.stringValue == "FORBIDDEN")
            try h.publish([
                Fixtures.decision("a-ok", tenant: t, action: "approve", at: Fixtures.now(), notes: "Looks good")
            ])
            try #require(try out.awaitAnswers(["a-ok"]))
            #expect(out.verdict("a-ok")?["state"]?.stringValue == "production_approved")

            // Live attempts up to the day's ceiling, one over each limit, and unthrottled test spend.
            let attempts =
                (0..<5).map { Fixtures.attempt("x-\($0)", tenant: t, amount: "100", at: now) } + [
                    Fixtures.attempt("x-pertx", tenant: t, amount: "100.000001", at: now),
                    Fixtures.attempt("x-day", tenant: t, amount: "0.000001", at: now),
                    Fixtures.attempt("x-test", tenant: t, amount: "5000", at: now, environment: "test"),
                ]
            try h.publish(attempts)
            try #require(try out.awaitAnswers((0..<5).map { "x-\($0)" } + ["x-pertx", "x-day", "x-test"]))
            #expect((0..<5).allSatisfy { out.verdict("x-\($0)")?["outcome"]?.stringValue == "allowed" })
            #expect(out.verdict("x-4")?["remaining"]?.stringValue == "0.00")
            #expect(out.verdict("x-pertx")?["reason"]?.stringValue == "exceeds_tenant_beta_ceiling_per_tx")
            let day = out.verdict("x-day")
            #expect(day?["reason"]?.stringValue == "exceeds_tenant_beta_ceiling_daily")
            #expect(day?["limit"]?.stringValue == "500.00" && day?["used"]?.stringValue == "500.00")
            #expect(
                day?["resets_at"]?.stringValue == UsageWindow.day(containing: RFC3339.parse(now)!).resetsAt.description)
            #expect(out.verdict("x-test")?["outcome"]?.stringValue == "allowed")

            // Suspension, a refused live attempt, reinstatement, an override.
            try h.publish([
                Fixtures.decision("s-1", tenant: t, action: "suspend", at: Fixtures.now(), notes: "Chargebacks")
            ])
            try #require(try out.awaitAnswers(["s-1"]))
            try h.publish([Fixtures.attempt("x-susp", tenant: t, amount: "1", at: now)])
            try #require(try out.awaitAnswers(["x-susp"]))
            #expect(out.verdict("x-susp")?["reason"]?.stringValue == "live_access_not_approved")
            try h.publish([Fixtures.decision("r-1", tenant: t, action: "approve", at: Fixtures.now(), notes: nil)])
            try #require(try out.awaitAnswers(["r-1"]))
            try h.publish([
                Fixtures.decision(
                    "c-1", tenant: t, action: "set_ceiling", at: Fixtures.now(), notes: nil,
                    ceiling: #"{"per_tx":"250.00","daily":"1000.00"}"#)
            ])
            try #require(try out.awaitAnswers(["c-1"]))
            try h.publish([Fixtures.attempt("x-big", tenant: t, amount: "250", at: now)])
            try #require(try out.awaitAnswers(["x-big"]))
            #expect(out.verdict("x-big")?["outcome"]?.stringValue == "allowed")
            #expect(out.verdict("x-big")?["ceiling"]?["source"]?.stringValue == "override")

            // Notifications: review queue, approval, suspension, reinstatement, ids derived from tenant and event ids; and the
            // day's 80 % warning and ceiling notice (v1.1), ids derived from the tenant and the window.
            #expect(try out.read(timeoutSeconds: 30) { _ in out.on(Topics.notification).count >= 12 })
            let ids = Set(out.on(Topics.notification).compactMap { $0["notification_id"]?.stringValue })
            let window = "\(t)/day/\(UsageWindow.day(containing: RFC3339.parse(now)!).start)"
            #expect(
                ids == [
                    "\(t)/d-ok/in_app/platform_admins", "\(t)/a-ok/email/tenant_owner", "\(t)/a-ok/in_app/tenant_owner",
                    "\(t)/s-1/email/tenant_owner", "\(t)/s-1/in_app/tenant_owner", "\(t)/r-1/email/tenant_owner",
                    "\(t)/r-1/in_app/tenant_owner", "\(window)/ceiling_warning/email/tenant_owner",
                    "\(window)/ceiling_warning/in_app/tenant_owner", "\(window)/ceiling_reached/email/tenant_owner",
                    "\(window)/ceiling_reached/in_app/tenant_owner", "\(window)/ceiling_reached/in_app/platform_admins",
                ])
            #expect(
                out.on(Topics.notification).first {
                    $0["notification_id"]?.stringValue == "\(t)/r-1/email/tenant_owner"
                }?["template"]?.stringValue
                    == "production_access_reinstated")
            // Tenant status after every change, versions 1 to 5, keyed by the tenant.
            #expect(try out.read(timeoutSeconds: 30) { _ in out.on(Topics.tenantStatus).count >= 5 })
            // A rebalance between lanes may publish a batch's outputs again, identical: a reader of the compacted
            // topic keeps the latest version, so the test sees each version once in order, copies aside (seen in a
            // run beside other suites: version 5 twice).
            var statuses: [JSONValue] = []
            for status in out.on(Topics.tenantStatus) where statuses.last != status { statuses.append(status) }
            #expect(statuses.compactMap { $0["version"] } == (1...5).map { .number(String($0)) })
            #expect(out.records.filter { $0.topic == Topics.tenantStatus }.allSatisfy { $0.key == Array(t.utf8) })
            try worker.stop()
            h.database.drop()
        }
    }
}
