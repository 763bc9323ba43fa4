import LiveGateCore
import LiveGateTestSupport
import Testing

/// What-if before changing a ceiling (contract v1.2): a history decided by the real ledger, replayed.
@Suite("Ceiling simulation replays the ledger's own rules")
struct CeilingSimulationTests {
    static func at(_ day: String, _ second: Int) -> String { "\(day)T12:00:\(second < 10 ? "0" : "")\(second)Z" }

    /// Approved with per_tx 250 (daily and monthly the platform's $500 and $2,000). On 11-29: a1 200 and a2 200
    /// allowed, a3 200 denied by the day, a1 failed (200 back), a4 200 allowed, a5 300 over per_tx, a6 100
    /// allowed (the day full), a7 50 denied by the day, a test attempt. On 11-30: b1 and b2 250 allowed, b3 10
    /// denied by the day, b1 settled. On 12-01: c1 100 allowed.
    static let story: [String] = {
        let (d1, d2, d3) = ("2026-11-29", "2026-11-30", "2026-12-01")
        func attempt(_ id: String, _ amount: String, _ day: String, _ s: Int, environment: String = "live") -> String {
            Fixtures.attempt(
                id, tenant: "t", amount: amount, at: CeilingSimulationTests.at(day, s), environment: environment)
        }
        return [
            Fixtures.declaration("d", tenant: "t", at: "2026-11-28T10:00:00Z"),
            Fixtures.decision(
                "ok", tenant: "t", action: "approve", at: "2026-11-28T11:00:00Z",
                ceiling: #"{"per_tx":"250.00","daily":null,"monthly":null}"#),
            attempt("a1", "200", d1, 1), attempt("a2", "200", d1, 2), attempt("a3", "200", d1, 3),
            Fixtures.resolution("r1", tenant: "t", attempt: "a1", at: CeilingSimulationTests.at(d1, 4)),
            attempt("a4", "200", d1, 5), attempt("a5", "300", d1, 6), attempt("a6", "100", d1, 7),
            attempt("a7", "50", d1, 8), attempt("t1", "90", d1, 9, environment: "test"),
            attempt("b1", "250", d2, 1), attempt("b2", "250", d2, 2), attempt("b3", "10", d2, 3),
            Fixtures.resolution(
                "r2", tenant: "t", attempt: "b1", resolution: "settled", at: CeilingSimulationTests.at(d2, 4)),
            attempt("c1", "100", d3, 1),
        ]
    }()

    /// The story through the real ledger, and what the store would keep of it.
    static func decided() -> (Ledger, RetainedHistory) {
        var ledger = Ledger(rules: .standard, tenants: [:], usage: [:], processed: [:])
        for json in story { _ = ledger.apply(Fixtures.event(json)) }
        return (ledger, retained(ledger, from: 0))
    }

    /// The ledger's stored events as the store reads them back, the first `from` steps cut off (pruned).
    static func retained(_ ledger: Ledger, from cut: Int) -> RetainedHistory {
        var steps: [ReplayStep] = []
        for event in ledger.newEvents {
            if let amount = event.replayAmount, let at = event.occurredAt {
                steps.append(
                    .attempt(
                        RetainedAttempt(
                            eventId: event.eventId, occurredAt: at, amount: amount,
                            allowedThen: event.bookedAmount != nil)))
            } else if let r = ledger.newResolutions.first(where: { $0.eventId == event.eventId }) {
                steps.append(
                    .resolution(
                        RetainedResolution(
                            attemptId: r.attemptId, kind: r.kind, released: r.released, bookedDay: r.bookedDay)))
            }
        }
        var usage: [UsageWindow: Micros] = [:]
        for (key, used) in ledger.usage { usage[key.window] = used }
        return RetainedHistory(
            tenant: ledger.tenant("t"), steps: Array(steps.dropFirst(cut)), usage: usage, maxAttempts: 100)
    }

    static func run(_ history: RetainedHistory, _ proposal: CeilingProposal) -> SimulationReport {
        CeilingSimulation.run(history, proposal: proposal, rules: .standard)
    }

    @Test("the ceiling in force reproduces every outcome: nothing newly allowed or denied, from any cut")
    func currentCeiling() {
        let (ledger, history) = Self.decided()
        #expect(history.steps.count == 13, "11 live attempts of an approved tenant and 2 resolutions")
        let report = Self.run(history, .current)
        #expect(report.attempts == 11 && report.allowedThen == 7 && report.allowedNow == 7)
        #expect(report.newlyAllowedCount == 0 && report.newlyDeniedCount == 0)
        #expect(report.from == RFC3339.parse(Self.at("2026-11-29", 1)))
        #expect(report.to == RFC3339.parse(Self.at("2026-12-01", 1)))
        #expect(report.peakDaily.used == .dollars(500) && report.peakMonthly.used == .dollars(1000))
        // Pruned history: the windows that began before `from` start from what the rest left in them.
        for cut in 0..<history.steps.count {
            let pruned = Self.run(Self.retained(ledger, from: cut), .current)
            #expect(pruned.newlyAllowedCount == 0 && pruned.newlyDeniedCount == 0, "cut at \(cut)")
        }
    }

    @Test("a raised daily limit lets through what the day refused, with the failed resolution's headroom")
    func raised() {
        let report = Self.run(Self.decided().1, CeilingProposal(daily: .set(.dollars(1000))))
        #expect(report.newlyAllowed == ["a3", "a7", "b3"] && report.newlyAllowedCount == 3)
        #expect(report.newlyAllowedAmount == .dollars(260) && report.newlyDeniedCount == 0)
        #expect(report.peakDaily.used == .dollars(750) && report.peakDaily.window?.start.description == "2026-11-29")
        #expect(
            report.peakMonthly.used == .dollars(1260) && report.peakMonthly.window?.start.description == "2026-11-01")
        let json = report.json
        #expect(json["newly_allowed_amount"] == .string("260.00") && json["first_new_denial_at"] == .null)
        #expect(json["peak"]?["daily"]?["window_start"] == .string("2026-11-29T00:00:00.000Z"))
        #expect(json["examples"]?["newly_allowed"] == .array([.string("a3"), .string("a7"), .string("b3")]))
        #expect(json["ceiling"]?["proposed"]?["daily"] == .string("1000.00"))
    }

    @Test("a lowered per-transaction limit stops the large ones, and the headroom they leave lets small ones through")
    func lowered() {
        let report = Self.run(Self.decided().1, CeilingProposal(perTx: .set(.dollars(100))))
        #expect(report.newlyDenied == ["a1", "a2", "a4", "b1", "b2"] && report.newlyDeniedAmount == .dollars(1100))
        #expect(report.firstNewDenialAt == RFC3339.parse(Self.at("2026-11-29", 1)))
        #expect(report.newlyAllowed == ["a7", "b3"] && report.newlyAllowedAmount == .dollars(60))
        #expect(report.allowedThen == 7 && report.allowedNow == 4)
    }

    @Test("null is the platform default: the override's per_tx 250 goes back to 100")
    func platformDefault() {
        let history = Self.decided().1
        let report = Self.run(history, CeilingProposal(perTx: .platformDefault))
        #expect(report.proposed.limits.perTx == .dollars(100) && report.proposed.source == .platformDefault)
        #expect(report.current.limits.perTx == .dollars(250) && report.current.source == .override)
        #expect(report.newlyDenied == Self.run(history, CeilingProposal(perTx: .set(.dollars(100)))).newlyDenied)
    }

    @Test("a disabled ceiling allows everything and still meters it")
    func disabled() {
        let report = Self.run(Self.decided().1, CeilingProposal(disabled: true))
        #expect(report.newlyAllowed == ["a3", "a5", "a7", "b3"] && report.newlyAllowedAmount == .dollars(560))
        #expect(report.peakDaily.used == .dollars(1050) && report.allowedNow == 11)
        #expect(Self.run(Self.decided().1, CeilingProposal(disabled: false)).newlyAllowedCount == 0)
    }

    @Test("a pruned history: a raised day counts from what the older attempts left in the month")
    func prunedMonth() {
        let (ledger, _) = Self.decided()
        // Only 11-30 and later are retained: the month of November already holds the 500 of 11-29.
        let history = Self.retained(ledger, from: 8)
        guard case let .attempt(first)? = history.steps.first else { Issue.record("\(history.steps)"); return }
        #expect(first.eventId == "b1")
        let report = Self.run(history, CeilingProposal(daily: .set(.dollars(1000))))
        #expect(report.attempts == 4 && report.newlyAllowed == ["b3"])
        #expect(report.peakMonthly.used == .dollars(1010) && report.peakDaily.used == .dollars(510))
        #expect(report.from == RFC3339.parse(Self.at("2026-11-30", 1)))
    }

    @Test("a proposal's body: omitted keeps, null is the default, anything else is refused by name")
    func parse() throws {
        func parsed(_ text: String) -> Result<CeilingProposal, InvalidProposal> {
            CeilingProposal.parse(try! JSONParser.parse(Array(text.utf8)))
        }
        #expect(try parsed(#"{"ceiling":{}}"#).get() == .current)
        #expect(
            try parsed(#"{"ceiling":{"per_tx":null,"daily":"750.5","disabled":true}}"#).get()
                == CeilingProposal(perTx: .platformDefault, daily: .set(Micros(750_500_000)), disabled: true))
        for bad in [
            #"{"ceiling":{"per_tx":"0"}}"#, #"{"ceiling":{"daily":750}}"#, #"{"ceiling":{"perTx":"1"}}"#,
            #"{"ceiling":{"disabled":"yes"}}"#, #"{"ceiling":null}"#, #"{}"#, #"[]"#, #"{"ceiling":{},"x":1}"#,
            #"{"ceiling":{"monthly":"1000000000.01"}}"#,
        ] {
            guard case let .failure(invalid) = parsed(bad) else { Issue.record("\(bad) parsed"); continue }
            #expect(!invalid.errors.isEmpty, "\(bad)")
        }
        let current = CeilingOverride(perTx: .dollars(250), expiresAt: UTCInstant(millis: 5))
        #expect(CeilingProposal.current.applied(to: current) == current, "the expiry is kept")
        #expect(CeilingProposal(monthly: .set(.dollars(9))).applied(to: current).perTx == .dollars(250))
    }
}
