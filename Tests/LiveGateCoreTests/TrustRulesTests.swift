import Foundation
import LiveGateCore
import LiveGateTestSupport
import Testing

/// Contract v1.2, "Idempotency is per tenant": the key is (tenant_id, event_id).
@Suite("Idempotency is per tenant")
struct PerTenantIdempotencyTests {
    @Test("one event id under two tenants: two events, each with its own verdict and usage")
    func twoTenants() {
        var s = Story.approved("a")
        s.apply(Fixtures.declaration("d-b", tenant: "b"))
        s.apply(Fixtures.decision("a-b", tenant: "b", action: "approve"))
        #expect(s.verdict(Fixtures.attempt("x", tenant: "a", amount: "60"))["outcome"] == .string("allowed"))
        let b = s.apply(Fixtures.attempt("x", tenant: "b", amount: "70"))
        guard case .applied = b else { Issue.record("b's x was taken for a's: \(b)"); return }
        #expect(
            s.used(.day, "2026-11-29", tenant: "a") == "60.00" && s.used(.day, "2026-11-29", tenant: "b") == "70.00")
        // Each is a repeat of itself only; in its own tenant other content is still a conflict.
        guard case .duplicate = s.apply(Fixtures.attempt("x", tenant: "a", amount: "60")) else {
            Issue.record("a's redelivery was not a duplicate"); return
        }
        #expect(s.apply(Fixtures.attempt("x", tenant: "a", amount: "70")).deadLetter?.error == .idempotencyConflict)
    }

    @Test("a resolution names an attempt of its own tenant: another tenant's attempt of that id is 404")
    func resolutionsStayInTheirTenant() {
        var s = Story.approved("a")
        s.apply(Fixtures.declaration("d-b", tenant: "b"))
        s.apply(Fixtures.decision("a-b", tenant: "b", action: "approve"))
        s.apply(Fixtures.attempt("x", tenant: "a", amount: "60"))
        let foreign = s.verdict(Fixtures.resolution("r", tenant: "b", attempt: "x"))
        #expect(foreign["status"]?.int == 404 && foreign["reason"] == .string("unknown_attempt"))
        #expect(s.used(.day, "2026-11-29", tenant: "a") == "60.00")
        s.apply(Fixtures.attempt("x", tenant: "b", amount: "30"))
        let own = s.verdict(Fixtures.resolution("r2", tenant: "b", attempt: "x"))
        #expect(own["released"] == .string("30.00"))
        #expect(s.used(.day, "2026-11-29", tenant: "a") == "60.00" && s.used(.day, "2026-11-29", tenant: "b") == "0.00")
        // a's attempt x is still unresolved: its own resolution is accepted.
        #expect(s.verdict(Fixtures.resolution("r", tenant: "a", attempt: "x"))["released"] == .string("60.00"))
    }

    @Test("notification ids lead with the tenant, escaped, so no two (tenant, event) pairs share one")
    func noticeIds() {
        var s = Story()
        func queueId(_ tenant: String, _ event: String) -> String? {
            Fixtures.values(s.apply(Fixtures.declaration(event, tenant: tenant)).outputs, topic: Topics.notification)
                .first?["notification_id"]?.stringValue
        }
        let ids = [queueId("a/b", "c"), queueId("a", "b/c"), queueId("a%2Fb", "c"), queueId("b", "c")]
        #expect(
            ids == [
                "a%2Fb/c/in_app/platform_admins", "a/b/c/in_app/platform_admins",
                "a%252Fb/c/in_app/platform_admins", "b/c/in_app/platform_admins",
            ])
    }
}

/// Contract v1.2, "Resolutions that give headroom back are signed and bounded".
@Suite("Signed, bounded releases")
struct SignedReleaseTests {
    static let settlement = DecisionSigningKey(kid: "settlement-2026-12")
    static let admin = DecisionSigningKey(kid: "admin-3")

    static func keySet(_ keys: [DecisionSigningKey]) -> DecisionKeySet {
        try! DecisionKeySet.parse(JSONWriter.bytes(DecisionSigningKey.keySetJSON(keys)))
    }

    static let rules = Rules(resolutionKeys: keySet([settlement]))

    /// A tenant approved on the defaults, with a $100 attempt `x` booked at noon on 29 November.
    static func booked(rules: Rules = SignedReleaseTests.rules) -> Ledger {
        var ledger = Ledger(rules: rules, tenants: [:], usage: [:], processed: [:])
        for json in [
            Fixtures.declaration("d", tenant: "t"), Fixtures.decision("a", tenant: "t", action: "approve"),
            Fixtures.attempt("x", tenant: "t", amount: "100"),
        ] {
            _ = ledger.apply(Fixtures.event(json, rules: rules))
        }
        return ledger
    }

    static func signed(_ json: String, by key: DecisionSigningKey = settlement) -> String {
        JSONWriter.string(try! key.sign(try! JSONParser.parse(Array(json.utf8))))
    }

    static func verdict(_ ledger: inout Ledger, _ json: String, rules: Rules = SignedReleaseTests.rules) -> JSONValue {
        try! JSONParser.parse(ledger.apply(Fixtures.event(json, rules: rules)).outputs[0].value)
    }

    static func used(_ ledger: Ledger) -> Micros {
        ledger.usage[UsageKey(tenantId: "t", window: .day(containing: RFC3339.parse(Fixtures.noon)!))] ?? .zero
    }

    @Test("a failed resolution signed by a settlement key releases, and the record names the key")
    func signedReleases() {
        var ledger = Self.booked()
        let v = Self.verdict(&ledger, Self.signed(Fixtures.resolution("r", tenant: "t", attempt: "x")))
        #expect(v["outcome"] == .string("accepted") && v["released"] == .string("100.00"))
        #expect(Self.used(ledger) == .zero && ledger.newResolutions.last?.signingKid == "settlement-2026-12")
    }

    @Test("missing, unknown and wrong signatures are 403 and release nothing, after the body; settled needs none")
    func refused() {
        let failed = Fixtures.resolution("r", tenant: "t", attempt: "x")
        let tampered = Self.signed(failed).replacing(#""attempt_id":"x""#, with: #""attempt_id":"y""#)
        for (json, reason) in [
            (failed, "signature_required"), (Self.signed(failed, by: Self.admin), "unknown_signing_key"),
            (tampered, "bad_signature"),
        ] {
            var ledger = Self.booked()
            let v = Self.verdict(&ledger, json)
            #expect(
                v["status"]?.int == 403 && v["code"] == .string("FORBIDDEN") && v["reason"] == .string(reason), "\(v)")
            #expect(v["released"] == .null && Self.used(ledger) == .dollars(100))
            // The verdict says which attempt's release was refused.
            #expect(v["attempt_id"] != .null && v["resolution"] == .string("failed"))
            // Nothing was resolved: a signed one is still accepted after it.
            #expect(
                Self.verdict(&ledger, Self.signed(Fixtures.resolution("r2", tenant: "t", attempt: "x")))["released"]
                    == .string("100.00"))
        }
        // The body is read first (whether a signature is needed depends on it): an invalid one is 400.
        var invalid = Self.booked()
        let noActor = failed.replacing(#""actor":{"kind":"api_key","id":"key-1"},"#, with: "")
        #expect(Self.verdict(&invalid, noActor)["status"]?.int == 400)
        var ledger = Self.booked()
        let settled = Self.verdict(&ledger, Fixtures.resolution("r", tenant: "t", attempt: "x", resolution: "settled"))
        #expect(settled["outcome"] == .string("accepted") && settled["released"] == .string("0.00"))
    }

    @Test("without a resolution key set, failed resolutions are trusted as in v1.1")
    func unsignedTrusted() {
        var ledger = Self.booked(rules: .standard)
        let v = Self.verdict(&ledger, Fixtures.resolution("r", tenant: "t", attempt: "x"), rules: .standard)
        #expect(v["released"] == .string("100.00"))
    }

    @Test("the release window: 7 days to the millisecond, then 409 RELEASE_WINDOW_CLOSED and nothing released")
    func window() {
        let lastMoment = "2026-12-06T12:00:00Z", tooLate = "2026-12-06T12:00:00.001Z"
        var open = Self.booked()
        #expect(
            Self.verdict(&open, Self.signed(Fixtures.resolution("r", tenant: "t", attempt: "x", at: lastMoment)))[
                "released"]
                == .string("100.00"))
        var closed = Self.booked()
        let v = Self.verdict(&closed, Self.signed(Fixtures.resolution("r", tenant: "t", attempt: "x", at: tooLate)))
        #expect(
            v["status"]?.int == 409 && v["code"] == .string("RELEASE_WINDOW_CLOSED")
                && v["reason"] == .string("release_window_closed") && v["released"] == .null)
        #expect(Self.used(closed) == .dollars(100))
        // The window bounds only releases: a settlement is still accepted, and the attempt was not resolved before it.
        let settled = Self.verdict(
            &closed, Fixtures.resolution("r2", tenant: "t", attempt: "x", resolution: "settled", at: tooLate))
        #expect(settled["outcome"] == .string("accepted"))
    }

    @Test("the window follows --release-window-days, and an attempt stored without occurred_at is timed by its verdict")
    func configuredAndLegacy() {
        var rules = Self.rules
        rules.releaseWindowMillis = 86_400_000
        var ledger = Self.booked(rules: rules)
        let v = Self.verdict(
            &ledger, Self.signed(Fixtures.resolution("r", tenant: "t", attempt: "x", at: "2026-11-30T12:00:01Z")),
            rules: rules)
        #expect(v["reason"] == .string("release_window_closed"))
        // A row from before v1.2 has no occurred_at: its verdict's decided_at stands in for it.
        let verdict = OutputRecord(
            topic: Topics.transactionVerdict, key: "t",
            value: Array(#"{"event_id":"old","decided_at":"2026-11-29T12:00:00.000Z"}"#.utf8))
        let old = StoredEvent(
            eventId: "old", tenantId: "t", type: .transactionAttempted, fingerprint: "f", outputs: [verdict],
            changedTenant: false)
        #expect(old.attemptInstant == RFC3339.parse("2026-11-29T12:00:00Z"))
        let unreadable = StoredEvent(
            eventId: "old", tenantId: "t", type: .transactionAttempted, fingerprint: "f", outputs: [],
            changedTenant: false)
        #expect(unreadable.attemptInstant == nil, "no time at all: outside every window")
    }
}

/// Contract v1.2: the skew guard on decisions and resolutions; broker time per record.
@Suite("Times: skew on every input that changes something, broker time per record")
struct InputTimeTests {
    func decoded(_ json: String, at timestamp: String, rules: Rules = .standard) -> JSONValue? {
        var ledger = Ledger(rules: rules, tenants: [:], usage: [:], processed: [:])
        _ = ledger.apply(Fixtures.event(Fixtures.declaration("d", tenant: "t")))
        let outcome = ledger.apply(Fixtures.event(json, timestamp: timestamp, rules: rules))
        return outcome.outputs.first.flatMap { try? JSONParser.parse($0.value) }
    }

    @Test(
        "a decision or resolution 5 minutes from its record timestamp is decided; a millisecond more is 400 occurred_at_skew"
    )
    func skew() {
        let approve = Fixtures.decision("a", tenant: "t", action: "approve", at: "2026-11-29T12:00:00Z")
        let settle = Fixtures.resolution(
            "r", tenant: "t", attempt: "x", resolution: "settled", at: "2026-11-29T12:00:00Z")
        for json in [approve, settle] {
            for stamp in ["2026-11-29T12:05:00Z", "2026-11-29T11:55:00Z"] {
                #expect(decoded(json, at: stamp)?["reason"] != .string("occurred_at_skew"), "\(stamp)")
            }
            for stamp in ["2026-11-29T12:05:00.001Z", "2026-11-29T11:54:59.999Z"] {
                let v = decoded(json, at: stamp)
                #expect(
                    v?["status"]?.int == 400 && v?["code"] == .string("INVALID_REQUEST_FORMAT")
                        && v?["reason"] == .string("occurred_at_skew"), "\(stamp): \(String(describing: v))")
            }
        }
        // The state did not move on a skewed decision.
        #expect(decoded(approve, at: "2026-11-29T13:00:00Z")?["state"] == .string("declaration_pending"))
    }

    @Test("a signature is checked before the skew: an unsigned, skewed decision is 403")
    func signatureFirst() {
        let rules = Rules(decisionKeys: SignedReleaseTests.keySet([SignedReleaseTests.admin]))
        let v = decoded(
            Fixtures.decision("a", tenant: "t", action: "approve"), at: "2026-11-30T12:00:00Z", rules: rules)
        #expect(v?["reason"] == .string("signature_required"))
    }

    @Test(
        "a record its producer stamped is a producer_timestamp dead letter that names it, unless producer time is allowed"
    )
    func producerTime() {
        let json = Fixtures.attempt("x", tenant: "t", amount: "10")
        let record = Fixtures.record(json, source: .producer)
        guard case let .deadLetter(reason) = InputDecoder.decode(record) else { Issue.record("decided"); return }
        #expect(reason.error == .producerTimestamp && reason.eventId == "x" && reason.tenantId == "t")
        guard case .event = InputDecoder.decode(record, rules: Rules(allowProducerTime: true)) else {
            Issue.record("refused although allowed"); return
        }
        guard case .event = InputDecoder.decode(Fixtures.record(json)) else {
            Issue.record("broker time refused"); return
        }
        // What cannot be addressed says so first: the record's own defects come before who stamped it.
        let broken = InputRecord(
            topic: Topics.transactionAttempt, key: nil, value: Array("{".utf8), timestamp: nil,
            timestampSource: .producer)
        guard case let .deadLetter(first) = InputDecoder.decode(broken) else { Issue.record("addressed"); return }
        #expect(first.error == .invalidJSON)
    }
}

/// Contract v1.2: dead letters of declarations keep no personal data.
@Suite("Dead letters keep no owner's email or name")
struct RedactedDeadLetterTests {
    func letter(_ record: InputRecord) throws -> JSONValue {
        try JSONParser.parse(DeadLetter.record(for: record, reason: DeadLetterReason(.keyMismatch, "test")).value)
    }

    @Test("a declaration's identity email and name become <redacted>; the rest and the original's digest stay")
    func declaration() throws {
        let json = Fixtures.declaration("d", tenant: "t", email: "ada@example.com")
        let record = Fixtures.record(json, key: "other")
        let letter = try letter(record)
        let value = try JSONParser.parse(Array(try #require(letter["value"]?.stringValue).utf8))
        #expect(
            value["identity"]?["email"] == .string("<redacted>") && value["identity"]?["name"] == .string("<redacted>"))
        #expect(value["identity"]?["provider"] == .string("google") && value["event_id"] == .string("d"))
        #expect(letter["value_redacted"] == .bool(true) && letter["value_bytes"]?.int == record.value?.count)
        #expect(letter["value_sha256"]?.stringValue == SHA256Hex.of(record.value!))
        #expect(!JSONWriter.string(letter).contains("ada@example.com") && !JSONWriter.string(letter).contains("Ada"))
    }

    @Test("what the declaration topic carries that cannot be read is not kept at all; other topics keep their values")
    func unreadable() throws {
        let garbage = InputRecord(
            topic: Topics.declarationSubmitted, key: nil, value: Array(#"{"identity":{"email":"a@b"#.utf8),
            timestamp: nil, timestampSource: .broker)
        let dropped = try letter(garbage)
        #expect(
            dropped["value"] == .null && dropped["value_redacted"] == .bool(true)
                && dropped["value_bytes"]?.int == garbage.value?.count)
        // An identity that cannot be redacted is not kept: another shape, or a value that names one but does not parse.
        let listed = InputRecord(
            topic: Topics.transactionAttempt, key: nil,
            value: Array(#"{"identity":[{"email":"a@b.c","name":"Ada"}]}"#.utf8), timestamp: nil,
            timestampSource: .broker)
        let misplaced = InputRecord(
            topic: Topics.decision, key: nil, value: Array(#"{"identity":{"email":"a@b.c"}} x"#.utf8),
            timestamp: nil, timestampSource: .broker)
        for record in [listed, misplaced] {
            let kept = try letter(record)
            #expect(kept["value"] == .null && kept["value_redacted"] == .bool(true), "\(kept)")
        }
        let attempt = try letter(Fixtures.record(Fixtures.attempt("x", tenant: "t", amount: "1"), key: "other"))
        #expect(attempt["value_redacted"] == .bool(false) && attempt["value"]?.stringValue?.contains("agent-5") == true)
    }
}
