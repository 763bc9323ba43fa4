import LiveGateCore

/// Turns a list of small integers into a story of input events over two tenants: declarations (some by
/// non-owners), every decision (some version-checked, some taking the suggested ceiling), ceilings (some
/// expiring, some disabled), live and test attempts over three UTC days across a month end, resolutions of
/// earlier events (failed ones mostly signed by settlement, some unsigned; some past the release window),
/// repeats of earlier events, both identical (duplicates) and altered (idempotency conflicts), and earlier
/// event ids used again by the other tenant (another event: idempotency is per tenant).
/// Property tests generate the integers, so a failing story shrinks to a short one.
public enum RandomStory {
    public struct Step: Sendable {
        public let eventId: String
        public let tenantId: String
        /// The JSON as published.
        public let json: String
    }

    /// What stories are decided by: resolutions signed by `settlement`, a release window of 12 hours (so the
    /// three times of a story fall inside and outside it).
    public static let settlement = DecisionSigningKey(kid: "settlement")
    public static let rules = Rules(
        resolutionKeys: try! DecisionKeySet.parse(JSONWriter.bytes(DecisionSigningKey.keySetJSON([settlement]))),
        releaseWindowMillis: 12 * 3_600_000)

    public static let amounts = ["0.000001", "10", "25.5", "30", "60", "100", "100.000001", "150"]
    public static let times = ["2026-11-29T12:00:00Z", "2026-11-30T01:00:00Z", "2026-12-01T00:00:00Z"]
    static let ceilings = [
        #"{"per_tx":"30"}"#, #"{"daily":"60","monthly":"100"}"#, #"{"disabled":true}"#,
        #"{"per_tx":null,"daily":null,"monthly":null}"#,
        #"{"daily":"60","expires_at":"2026-11-30T00:00:00Z"}"#,
        #"{"disabled":true,"expires_at":"2026-12-01T00:00:00Z"}"#,
        // A month tighter than its days: a denial by the month alone, which waiting for the 1st cures.
        #"{"monthly":"100"}"#,
    ]

    /// `prefix` goes before every tenant and event id, so several stories can share one database.
    public static func steps(_ codes: [UInt16], prefix: String = "") -> [Step] {
        var steps: [Step] = []
        var attempts: [String: [String]] = [:]  // each tenant's attempt ids so far, for resolutions to name
        for (i, raw) in codes.enumerated() {
            let c = Int(raw)
            let repeatKind = (c / 2400) % 8
            if repeatKind == 0, !steps.isEmpty {
                steps.append(steps[c % steps.count])  // an identical redelivery
                continue
            }
            if repeatKind == 1, !steps.isEmpty {
                let original = steps[c % steps.count]  // same id, other content
                steps.append(
                    Step(
                        eventId: original.eventId, tenantId: original.tenantId,
                        json: fresh(original.eventId, original.tenantId, code: c + 2, at: 0, index: i, attempts: [])))
                continue
            }
            let tenant = prefix + ["t1", "t2"][c % 2]
            var id = "\(prefix)e\(i)"
            if repeatKind == 2, !steps.isEmpty {  // an id the other tenant used: another event of this tenant
                let original = steps[c % steps.count]
                if original.tenantId != tenant { id = original.eventId }
            }
            steps.append(
                Step(
                    eventId: id, tenantId: tenant,
                    json: fresh(
                        id, tenant, code: c, at: (c / 800) % 3, index: i, attempts: attempts[tenant] ?? [],
                        prefix: prefix)))
            if (c / 2) % 12 >= 8 { attempts[tenant, default: []].append(id) }
        }
        return steps
    }

    static func fresh(
        _ id: String, _ tenant: String, code c: Int, at t: Int, index i: Int, attempts: [String],
        prefix: String = ""
    ) -> String {
        let at = times[t]
        switch (c / 2) % 12 {
        case 0: return Fixtures.declaration(id, tenant: tenant, at: at)
        case 1: return Fixtures.declaration(id, tenant: tenant, at: at, role: "member")
        case 2: return Fixtures.decision(id, tenant: tenant, action: "approve", at: at, notes: nil)
        case 3: return Fixtures.decision(id, tenant: tenant, action: "deny", at: at)
        case 4: return Fixtures.decision(id, tenant: tenant, action: "suspend", at: at)
        case 5:
            return Fixtures.decision(
                id, tenant: tenant, action: "set_ceiling", at: at, notes: nil,
                ceiling: ceilings[(c / 20) % ceilings.count])
        case 6:
            return Fixtures.decision(
                id, tenant: tenant, action: "approve", at: at, notes: nil,
                extra: (c / 20) % 2 == 0
                    ? ["\"expected_version\":\((c / 40) % 4)"]
                    : ["\"use_suggested_ceiling\":true"])
        case 7:
            // Three in four name one of the tenant's own attempts (so some are resolved twice: 409); the rest
            // any earlier event (a declaration, another tenant's attempt, a later one: 404).
            let target =
                !attempts.isEmpty && (c / 24) % 4 != 0
                ? attempts[(c / 96) % attempts.count] : "\(prefix)e\(i == 0 ? 0 : (c / 24) % i)"
            let kind = (c / 20) % 3 == 0 ? "settled" : "failed"
            let json = Fixtures.resolution(id, tenant: tenant, attempt: target, resolution: kind, at: at)
            // Settlement signs three failed resolutions in four; the fourth comes unsigned, from a money path.
            guard kind == "failed", (c / 60) % 4 != 0 else { return json }
            return JSONWriter.string(try! settlement.sign(try! JSONParser.parse(Array(json.utf8))))
        default:
            return Fixtures.attempt(
                id, tenant: tenant, amount: amounts[(c / 20) % amounts.count], at: at,
                environment: (c / 160) % 5 == 0 ? "test" : "live")
        }
    }
}
