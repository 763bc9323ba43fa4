import LiveGateCore
import LiveGateTestSupport
import Testing

/// Decodes one JSON event and returns its rejection, or nil when it passed validation.
func rejection(_ json: String, timestamp: String? = nil) -> Rejection? {
    let event = Fixtures.event(json, timestamp: timestamp)
    switch event.body {
    case let .declaration(.rejected(r)), let .decision(.rejected(r)), let .resolution(.rejected(r)): return r
    case .declaration(.valid), .decision(.valid): return nil
    case let .resolution(.valid(resolution)): return resolution.refusal
    case let .attempt(attempt): return attempt.rejection
    }
}

@Suite("Declaration rules")
struct DeclarationValidationTests {
    @Test(
        "intended_use_case length is counted in Unicode characters, 20 to 1000",
        arguments: [(19, false), (20, true), (1000, true), (1001, false)])
    func useCaseBoundaries(length: Int, valid: Bool) {
        for unit in ["a", "é", "😀", "中"] {
            let text = String(repeating: unit, count: length)
            let r = rejection(Fixtures.declaration("d", tenant: "t", useCase: text))
            #expect((r == nil) == valid, "\(length) × \(unit)")
            if !valid { #expect(r?.errors.map(\.field) == ["declaration.intended_use_case"]) }
        }
    }

    @Test(
        "only the owner may declare",
        arguments: [
            #"{"kind":"user","id":"u","role":"member"}"#, #"{"kind":"api_key","id":"k","role":"owner"}"#,
            #"{"kind":"platform_admin","id":"a"}"#, #"null"#, #""owner""#, #"{"kind":"user","id":"u"}"#,
        ])
    func forbidden(actor: String) {
        let json = Fixtures.declaration("d", tenant: "t")
            .replacingOccurrences(of: #"{"kind":"user","id":"u-t","role":"owner"}"#, with: actor)
        #expect(rejection(json) == .forbidden("actor_not_owner"))
    }

    @Test("the actor is checked before the body")
    func actorFirst() {
        let json = Fixtures.declaration("d", tenant: "t", role: "member", useCase: "short")
        #expect(rejection(json)?.status == 403)
    }

    @Test(
        "each body rule reports its own field",
        arguments: [
            (
                #""expected_monthly_volume_usd":1500"#, #""expected_monthly_volume_usd":0"#,
                "declaration.expected_monthly_volume_usd"
            ),
            (
                #""expected_monthly_volume_usd":1500"#, #""expected_monthly_volume_usd":-5"#,
                "declaration.expected_monthly_volume_usd"
            ),
            (
                #""expected_monthly_volume_usd":1500"#, #""expected_monthly_volume_usd":"1500""#,
                "declaration.expected_monthly_volume_usd"
            ),
            (#""website_url":"https://example.com""#, #""website_url":"example.com""#, "declaration.website_url"),
            (#""website_url":"https://example.com""#, #""website_url":"ftp://example.com""#, "declaration.website_url"),
            (#""website_url":"https://example.com""#, #""website_url":"https://""#, "declaration.website_url"),
            (
                #""website_url":"https://example.com""#, #""website_url":"https://exa mple.com""#,
                "declaration.website_url"
            ),
            (#""accepted_terms":true"#, #""accepted_terms":"true""#, "declaration.accepted_terms"),
            (#""accepted_terms":true"#, #""accepted_terms":1"#, "declaration.accepted_terms"),
            (#""accepted_terms":true"#, #""accepted_terms":false"#, "declaration.accepted_terms"),
            (#""occurred_at":"2026-11-29T12:00:00Z""#, #""occurred_at":"yesterday""#, "occurred_at"),
        ])
    func bodyRule(original: String, replacement: String, field: String) {
        let json = Fixtures.declaration("d", tenant: "t").replacingOccurrences(of: original, with: replacement)
        let r = rejection(json)
        #expect(r?.status == 400)
        #expect(r?.code == "INVALID_REQUEST_FORMAT")
        #expect(r?.errors.map(\.field) == [field])
    }

    @Test("optional fields may be absent or null, and every failure is listed at once")
    func optionalAndAll() {
        let base = Fixtures.declaration("d", tenant: "t")
        let withoutOptional = base.replacingOccurrences(of: #""expected_monthly_volume_usd":1500,"#, with: "")
            .replacingOccurrences(of: #""website_url":"https://example.com""#, with: #""website_url":null"#)
        #expect(rejection(withoutOptional) == nil)
        let allWrong = base.replacingOccurrences(
            of: #""expected_monthly_volume_usd":1500"#, with: #""expected_monthly_volume_usd":0"#
        )
        .replacingOccurrences(of: #""accepted_terms":true"#, with: #""accepted_terms":false"#)
        .replacingOccurrences(of: "Agents paying x402 APIs for our research product", with: "short")
        #expect(
            rejection(allWrong)?.errors.map(\.field) == [
                "declaration.intended_use_case", "declaration.expected_monthly_volume_usd",
                "declaration.accepted_terms",
            ])
    }
}

@Suite("Decision rules")
struct DecisionValidationTests {
    @Test("only platform admins decide", arguments: ["user", "api_key", "agent_token"])
    func forbidden(kind: String) {
        let json = Fixtures.decision("a", tenant: "t", action: "approve", actorKind: kind)
        #expect(rejection(json) == .forbidden("actor_not_platform_admin"))
    }

    @Test(
        "body rules",
        arguments: [
            ("approve", "Reviewed", nil, nil),
            ("approve", nil, nil, nil),
            ("deny", "Not now", nil, nil),
            ("deny", nil, nil, "review_notes"),
            ("suspend", "   ", nil, "review_notes"),
            ("set_ceiling", nil, nil, "ceiling"),
            ("set_ceiling", nil, #"{"per_tx":"250.00","daily":null,"monthly":null,"disabled":false}"#, nil),
            ("set_ceiling", nil, #"{"disabled":true}"#, nil),
            ("set_ceiling", nil, #"{"per_tx":"0"}"#, "ceiling.per_tx"),
            ("set_ceiling", nil, #"{"daily":250}"#, "ceiling.daily"),
            ("set_ceiling", nil, #"{"monthly":"-1"}"#, "ceiling.monthly"),
            ("set_ceiling", nil, #"{"disabled":"yes"}"#, "ceiling.disabled"),
            ("set_ceiling", nil, #""250""#, "ceiling"),
            ("approve", nil, #"{"per_tx":"1e3"}"#, "ceiling.per_tx"),
            ("promote", "x", nil, "action"),
        ] as [(String, String?, String?, String?)])
    func body(action: String, notes: String?, ceiling: String?, failingField: String?) {
        let r = rejection(Fixtures.decision("a", tenant: "t", action: action, notes: notes, ceiling: ceiling))
        #expect(r?.errors.map(\.field) == failingField.map { [$0] })
        if failingField != nil { #expect(r?.status == 400) }
    }
}

@Suite("Attempt rules")
struct AttemptValidationTests {
    @Test(
        "amount forms",
        arguments: [
            ("\"42.50\"", true), ("\"0.000001\"", true), ("\"1000000000\"", true), ("\"007.5\"", true),
            ("\"1e3\"", false), ("\"-1\"", false), ("\"0\"", false), ("\"0.0000001\"", false), ("\"１０\"", false),
            ("42.5", false), ("\"1000000000.000001\"", false), ("null", false), ("\" 10\"", false),
        ])
    func amount(literal: String, valid: Bool) {
        let json = Fixtures.attempt("x", tenant: "t", amount: "AMOUNT")
            .replacingOccurrences(of: "\"AMOUNT\"", with: literal)
        let r = rejection(json)
        #expect((r == nil) == valid)
        if !valid { #expect(r?.reason == "invalid_amount") }
    }

    @Test(
        "currencies",
        arguments: [
            ("USD", nil), ("USDC", nil), ("EUR", "unsupported_currency"),
            ("usd", "unsupported_currency"),
        ] as [(String, String?)])
    func currency(code: String, reason: String?) {
        #expect(rejection(Fixtures.attempt("x", tenant: "t", amount: "1", currency: code))?.reason == reason)
    }

    @Test("the first failing field names the reason; all are listed")
    func firstReason() {
        let json = Fixtures.attempt("x", tenant: "t", amount: "abc", environment: "prod", currency: "EUR")
        let r = rejection(json)
        #expect(r?.reason == "invalid_environment")
        #expect(r?.errors.map(\.field) == ["environment", "amount", "currency"])
    }

    @Test(
        "occurred_at may be at most 5 minutes from the record timestamp",
        arguments: [
            ("2026-11-29T12:05:00Z", nil), ("2026-11-29T11:55:00Z", nil),
            ("2026-11-29T12:05:00.001Z", "occurred_at_skew"), ("2026-11-29T11:54:59.999Z", "occurred_at_skew"),
        ] as [(String, String?)])
    func skew(recordTime: String, reason: String?) {
        let r = rejection(Fixtures.attempt("x", tenant: "t", amount: "1"), timestamp: recordTime)
        #expect(r?.reason == reason)
        if reason != nil { #expect(r?.status == 400) }
    }
}
