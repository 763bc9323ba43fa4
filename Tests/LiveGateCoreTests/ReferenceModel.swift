import LiveGateCore

/// A deliberately naive model of the contract (v1 and the v1.1 and v1.2 additions), written from its text
/// without the core's types: states as strings, money as integer micro-dollars, windows and times as strings,
/// events keyed by "tenant|event". The property test checks that the ledger agrees with it on every verdict,
/// every threshold notice and the final usage, under `RandomStory.rules` (failed resolutions signed, a release
/// window of 12 hours).
struct ReferenceModel {
    struct Expected: Equatable {
        var kind: String  // applied | duplicate | conflict
        var outcome: String?
        var status: Int?
        var reason: String?
        var state: String?
        /// Threshold notices: "template/window/audience/channel", sorted.
        var notices: [String] = []
        /// v1.2, attempt verdicts only: `max_amount_now` in micro-dollars and `retry_at` as written.
        var maxAmountNow: Int64? = nil
        var retryAt: String? = nil
    }

    struct Override {
        var perTx: Int64?, daily: Int64?, monthly: Int64?, disabled = false, expires: String?
    }

    static let defaults = (perTx: Int64(100_000_000), daily: Int64(500_000_000), monthly: Int64(2_000_000_000))

    var states: [String: String] = [:]
    var versions: [String: Int] = [:]
    var overrides: [String: Override] = [:]
    var suggested: [String: Override] = [:]
    var usage: [String: Int64] = [:]
    /// By "tenant|event": the idempotency key is the pair (v1.2).
    var seen: [String: (json: String, expected: Expected)] = [:]
    /// The first event stored under each key: its type and `occurred_at`.
    var kinds: [String: (type: String, at: String)] = [:]
    var booked: [String: (amount: Int64, day: String, month: String)] = [:]
    var resolved: Set<String> = []
    var fired: Set<String> = []
    /// The release window, in hours, and the story's times as hours from the first.
    static let windowHours = 12
    static let hours = ["2026-11-29T12:00:00Z": 0, "2026-11-30T01:00:00Z": 13, "2026-12-01T00:00:00Z": 36]
    /// When the story's days and months reset (UTC), written out by hand.
    static let dayResets = [
        "2026-11-29": "2026-11-30T00:00:00.000Z", "2026-11-30": "2026-12-01T00:00:00.000Z",
        "2026-12-01": "2026-12-02T00:00:00.000Z",
    ]
    static let monthResets = ["2026-11": "2026-12-01T00:00:00.000Z", "2026-12": "2027-01-01T00:00:00.000Z"]

    /// "25.5" → 25_500_000, by the digits alone.
    static func micros(_ text: String) -> Int64 {
        let parts = text.split(separator: ".")
        let fraction = parts.count > 1 ? String(parts[1]).padding(toLength: 6, withPad: "0", startingAt: 0) : "000000"
        return Int64(parts[0])! * 1_000_000 + Int64(fraction)!
    }

    mutating func apply(eventId: String, tenant: String, json: String, value: JSONValue) -> Expected {
        let key = "\(tenant)|\(eventId)"
        if let earlier = seen[key] {
            guard earlier.json == json else { return Expected(kind: "conflict") }
            var again = earlier.expected
            again.kind = "duplicate"
            return again
        }
        kinds[key] = (value["type"]?.stringValue ?? "", value["occurred_at"]?.stringValue ?? "")
        let expected = decide(eventId: eventId, tenant: tenant, value)
        seen[key] = (json, expected)
        return expected
    }

    private mutating func decide(eventId: String, tenant: String, _ v: JSONValue) -> Expected {
        let state = states[tenant] ?? "sandbox_only"
        func rejected(_ status: Int, _ reason: String?) -> Expected {
            Expected(kind: "applied", outcome: "rejected", status: status, reason: reason, state: state)
        }
        func moved(_ to: String, _ status: Int) -> Expected {
            states[tenant] = to
            versions[tenant, default: 0] += 1
            return Expected(kind: "applied", outcome: "accepted", status: status, reason: nil, state: to)
        }
        switch v["type"]?.stringValue {
        case "declaration.submitted":
            guard v["actor"]?["role"]?.stringValue == "owner" else { return rejected(403, "actor_not_owner") }
            guard state == "sandbox_only" || state == "production_denied" else {
                return rejected(403, "state_does_not_allow_declaration")
            }
            // Every fixture declares $1,500 a month: monthly 1,500; daily max(100, 375 → 400); per_tx 100.
            suggested[tenant] = Override(perTx: 100_000_000, daily: 400_000_000, monthly: 1_500_000_000)
            return moved("declaration_pending", 202)
        case "decision.recorded":
            let action = v["action"]?.stringValue ?? ""
            let c = v["ceiling"]
            if let expires = c?["expires_at"]?.stringValue, expires <= v["occurred_at"]!.stringValue! {
                return rejected(400, "invalid_request")
            }
            if case let .number(n)? = v["expected_version"], Int(n) != versions[tenant, default: 0] {
                return rejected(409, "stale_version")
            }
            if action == "set_ceiling" {
                func micros(_ name: String) -> Int64? { c?[name]?.stringValue.map { Int64(Double($0)! * 1_000_000) } }
                overrides[tenant] = Override(
                    perTx: micros("per_tx"), daily: micros("daily"), monthly: micros("monthly"),
                    disabled: c?["disabled"] == .bool(true), expires: c?["expires_at"]?.stringValue)
                return moved(state, 200)
            }
            let allowed: [String: [String: String]] = [
                "approve": [
                    "declaration_pending": "production_approved", "production_suspended": "production_approved",
                ],
                "deny": ["declaration_pending": "production_denied"],
                "suspend": ["production_approved": "production_suspended"],
            ]
            guard let to = allowed[action]?[state] else { return rejected(409, "invalid_transition") }
            if v["use_suggested_ceiling"] == .bool(true) { overrides[tenant] = suggested[tenant] ?? Override() }
            return moved(to, 200)
        case "transaction.resolved":
            return resolution(tenant: tenant, v)
        default:
            return attempt(eventId: eventId, tenant: tenant, state: state, v)
        }
    }

    private mutating func resolution(tenant: String, _ v: JSONValue) -> Expected {
        func result(_ status: Int, _ reason: String?) -> Expected {
            Expected(kind: "applied", outcome: status == 200 ? "accepted" : "rejected", status: status, reason: reason)
        }
        let failed = v["resolution"]?.stringValue == "failed"
        if failed, v["signature"] == nil { return result(403, "signature_required") }
        let attempt = "\(tenant)|\(v["attempt_id"]!.stringValue!)"
        guard let kind = kinds[attempt], kind.type == "transaction.attempted" else {
            return result(404, "unknown_attempt")
        }
        guard !resolved.contains(attempt) else { return result(409, "already_resolved") }
        if failed, Self.hours[v["occurred_at"]!.stringValue!]! - Self.hours[kind.at]! > Self.windowHours {
            return result(409, "release_window_closed")
        }
        resolved.insert(attempt)
        if failed, let b = booked[attempt] {
            for key in ["\(tenant)|\(b.day)", "\(tenant)|\(b.month)"] {
                usage[key] = max(0, usage[key, default: 0] - b.amount)
            }
        }
        return result(200, nil)
    }

    private mutating func attempt(eventId: String, tenant: String, state: String, _ v: JSONValue) -> Expected {
        var notices: [String] = []
        func result(
            _ allowed: Bool, _ status: Int, _ reason: String?, max: Int64? = nil, retry: String? = nil
        ) -> Expected {
            Expected(
                kind: "applied", outcome: allowed ? "allowed" : "denied", status: status, reason: reason,
                notices: notices.sorted(), maxAmountNow: max, retryAt: retry)
        }
        if v["environment"]?.stringValue == "test" { return result(true, 200, nil) }
        guard state == "production_approved" else {
            return result(false, 403, "live_access_not_approved", max: 0)
        }
        let at = v["occurred_at"]!.stringValue!
        var o = overrides[tenant] ?? Override()
        if let expires = o.expires, at >= expires { o = Override() }
        let amount = Self.micros(v["amount"]!.stringValue!)
        let (day, month) = (String(at.prefix(10)), String(at.prefix(7)))
        let dayKey = "\(tenant)|\(day)", monthKey = "\(tenant)|\(month)"
        func book() {
            usage[dayKey, default: 0] += amount
            usage[monthKey, default: 0] += amount
            booked["\(tenant)|\(eventId)"] = (amount, day, month)
        }
        if o.disabled {
            book()  // metered, not enforced
            return result(true, 200, nil)
        }
        func notice(_ template: String, _ window: String, admins: Bool) {
            guard fired.insert("\(tenant)|\(window == "daily" ? day : month)|\(template)").inserted else { return }
            notices += ["\(template)/\(window)/tenant_owner/email", "\(template)/\(window)/tenant_owner/in_app"]
            if admins { notices.append("\(template)/\(window)/platform_admins/in_app") }
        }
        let (daily, monthly) = (o.daily ?? Self.defaults.daily, o.monthly ?? Self.defaults.monthly)
        let perTx = o.perTx ?? Self.defaults.perTx
        // What an attempt at the same instant could have, from the usage as it stands now.
        func maxNow() -> Int64 {
            Swift.max(0, Swift.min(perTx, daily - usage[dayKey, default: 0], monthly - usage[monthKey, default: 0]))
        }
        // A window denial: when the same amount fits both windows again, unless it never can.
        func retry() -> String? {
            if amount > perTx || amount > daily || amount > monthly { return nil }
            return usage[monthKey, default: 0] + amount > monthly ? Self.monthResets[month]! : Self.dayResets[day]!
        }
        if amount > perTx { return result(false, 403, "exceeds_tenant_beta_ceiling_per_tx", max: maxNow()) }
        if usage[dayKey, default: 0] + amount > daily {
            notice("ceiling_reached", "daily", admins: true)
            return result(false, 403, "exceeds_tenant_beta_ceiling_daily", max: maxNow(), retry: retry())
        }
        if usage[monthKey, default: 0] + amount > monthly {
            notice("ceiling_reached", "monthly", admins: true)
            return result(false, 403, "exceeds_tenant_beta_ceiling_monthly", max: maxNow(), retry: retry())
        }
        for (key, limit, window) in [(dayKey, daily, "daily"), (monthKey, monthly, "monthly")] {
            let before = usage[key, default: 0]
            // 80 % in integers: used / limit >= 4 / 5.
            if before * 5 < limit * 4, (before + amount) * 5 >= limit * 4 {
                notice("ceiling_warning", window, admins: false)
            }
        }
        book()
        return result(true, 200, nil, max: maxNow())
    }
}
