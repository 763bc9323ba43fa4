import LiveGateCore
import Testing

/// Issue 23: the store keeps an attempt verdict's facts instead of its text, and a redelivery gets the bytes
/// rebuilt from them. The ledger keeps facts only when they rebuild what it published (the property test
/// checks that for every random story); here, the contract's own examples.
@Suite("An attempt verdict rebuilt from its facts")
struct VerdictFactsTests {
    /// The facts an example states; nil for a verdict with field errors (kept as text) or another subject.
    static func facts(_ v: JSONValue) throws -> VerdictFacts? {
        guard v["subject"] == nil || v["subject"] == .string("attempt"), v["errors"] == .array([]) else { return nil }
        func micros(_ key: String, in object: JSONValue? = nil) throws -> Micros? {
            guard let text = (object ?? v)[key]?.stringValue else { return nil }
            // The amount parser takes positive amounts; "0.00" is what a verdict says when nothing fits.
            return try #require(Micros(parsing: text) ?? (text == "0.00" ? .zero : nil), "\(key): \(text)")
        }
        func instant(_ key: String, in object: JSONValue? = nil) throws -> UTCInstant? {
            guard let text = (object ?? v)[key]?.stringValue else { return nil }
            return try #require(RFC3339.parse(text), "\(key): \(text)")
        }
        guard case let .number(status)? = v["status"], let ceiling = v["ceiling"] else { return nil }
        let decidedAt = try #require(try instant("decided_at"))
        return VerdictFacts(
            status: try #require(Int(status)), code: v["code"]?.stringValue, reason: v["reason"]?.stringValue,
            environment: v["environment"]?.stringValue.flatMap(Environment.init(rawValue:)),
            rail: v["rail"]?.stringValue.flatMap(Rail.init(rawValue:)), currency: v["currency"]?.stringValue,
            amount: try micros("amount"), window: v["window"]?.stringValue.flatMap(WindowReport.Name.init(rawValue:)),
            used: try micros("used"), maxAmountNow: try micros("max_amount_now"), retryAt: try instant("retry_at"),
            ceiling: EffectiveCeiling(
                limits: CeilingLimits(
                    perTx: try #require(try micros("per_tx", in: ceiling)),
                    daily: try #require(try micros("daily", in: ceiling)),
                    monthly: try #require(try micros("monthly", in: ceiling))),
                disabled: ceiling["disabled"] == .bool(true),
                source: ceiling["source"] == .string("override") ? .override : .platformDefault,
                expiresAt: try instant("expires_at", in: ceiling)),
            // Any instant of the window names it; the verdict does not carry occurred_at itself.
            occurredAt: try instant("window_start") ?? decidedAt, decidedAt: decidedAt,
            digest: VerdictFacts.digest(of: JSONWriter.bytes(v)))
    }

    static func rebuilt(_ facts: VerdictFacts, _ v: JSONValue) -> [UInt8] {
        facts.verdict(eventId: v["event_id"]?.stringValue ?? "", tenantId: v["tenant_id"]?.stringValue ?? "").record
            .value
    }

    static func validExamples() throws -> [(name: String, value: JSONValue)] {
        try TopicsTests.examples(TopicsTests.load(Topics.transactionVerdict)).compactMap { example in
            guard example["valid"] == .bool(true), let value = example["value"] else { return nil }
            return (example["name"]?.stringValue ?? "?", value)
        }
    }

    @Test("every v1.2 attempt example in topics/ comes back byte for byte from its facts")
    func currentExamples() throws {
        var rebuiltCount = 0
        for (name, value) in try Self.validExamples() where value["max_amount_now"] != nil {
            guard let facts = try Self.facts(value) else { continue }
            #expect(
                Self.rebuilt(facts, value) == JSONWriter.bytes(value),
                "\(name): \(String(decoding: Self.rebuilt(facts, value), as: UTF8.self))")
            rebuiltCount += 1
        }
        #expect(rebuiltCount >= 7, "the v1.2 examples: allowed, day, month, both, never, per_tx, not approved, test")
    }

    @Test("every older attempt example in topics/ keeps each of its fields when rebuilt from its facts")
    func olderExamples() throws {
        var checked = 0
        for (name, value) in try Self.validExamples() where value["max_amount_now"] == nil {
            guard let facts = try Self.facts(value), case let .object(members) = value else { continue }
            let rebuilt = try JSONParser.parse(Self.rebuilt(facts, value))
            for (key, stated) in members where key != "ceiling" {
                #expect(rebuilt[key] == stated, "\(name): \(key)")
            }
            if case let .object(ceiling)? = value["ceiling"] {
                for (key, stated) in ceiling { #expect(rebuilt["ceiling"]?[key] == stated, "\(name): ceiling.\(key)") }
            }
            checked += 1
        }
        #expect(checked >= 8)
    }

    @Test("facts are kept only for the bytes they rebuild")
    func keptAsText() throws {
        let published = try #require(try Self.validExamples().first { $0.value["max_amount_now"] != nil }?.value)
        let facts = try #require(try Self.facts(published))
        let verdict = facts.verdict(
            eventId: try #require(published["event_id"]?.stringValue),
            tenantId: try #require(published["tenant_id"]?.stringValue))
        #expect(verdict.facts(rebuilding: verdict.record.value) == facts)
        var other = verdict.record.value
        other.removeLast()  // any other bytes: the facts would not give them back
        #expect(verdict.facts(rebuilding: other) == nil)
    }

    /// Encoding 1's bytes, pinned: rows keep these facts for good, so the encoder must give them back in every
    /// later build (the digest refuses it otherwise; this test says so before a release does).
    @Test("encoding 1 gives these exact bytes, ids with escapes and non-ASCII included")
    func pinned() throws {
        let facts = VerdictFacts(
            status: 403, code: "LIMIT_EXCEEDED", reason: "exceeds_tenant_beta_ceiling_daily", environment: .live,
            rail: .x402, currency: "USD", amount: Micros(60_000_000), window: .daily, used: Micros(442_500_000),
            maxAmountNow: Micros(57_500_000), retryAt: UTCInstant(millis: 1_796_601_600_000),
            ceiling: EffectiveCeiling(
                limits: CeilingLimits(
                    perTx: Micros(100_000_000), daily: Micros(500_000_000), monthly: Micros(2_000_000_000)),
                disabled: false, source: .override, expiresAt: UTCInstant(millis: 1_799_193_600_000)),
            occurredAt: UTCInstant(millis: 1_796_558_399_999), decidedAt: UTCInstant(millis: 1_796_558_400_123),
            digest: 0)
        let bytes = facts.verdict(eventId: "att-\"1\"", tenantId: "t-ü").record.value
        #expect(String(decoding: bytes, as: UTF8.self) == Self.pinnedText, "\(String(decoding: bytes, as: UTF8.self))")
        #expect(facts.bytes(eventId: "att-\"1\"", tenantId: "t-ü") == nil, "a digest of other bytes refuses them")
        var kept = facts
        kept.digest = VerdictFacts.digest(of: Array(Self.pinnedText.utf8))
        #expect(kept.bytes(eventId: "att-\"1\"", tenantId: "t-ü") == Array(Self.pinnedText.utf8))
    }

    static let pinnedText =
        #"{"event_id":"att-\"1\"","tenant_id":"t-ü","subject":"attempt","outcome":"denied","status":403,"#
        + #""code":"LIMIT_EXCEEDED","reason":"exceeds_tenant_beta_ceiling_daily","errors":[],"environment":"live","#
        + #""rail":"x402","currency":"USD","amount":"60.00","requested":"60.00","window":"daily","limit":"500.00","#
        + #""used":"442.50","remaining":"57.50","window_start":"2026-12-06T00:00:00.000Z","#
        + #""resets_at":"2026-12-07T00:00:00.000Z","max_amount_now":"57.50","retry_at":"2026-12-07T00:00:00.000Z","#
        + #""ceiling":{"per_tx":"100.00","daily":"500.00","monthly":"2000.00","disabled":false,"source":"override","#
        + #""expires_at":"2027-01-06T00:00:00.000Z"},"decided_at":"2026-12-06T12:00:00.123Z"}"#
}
