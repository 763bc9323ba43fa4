import LiveGateCore

/// A deliberately naive model of the contract, written from its text without the core's types: states as
/// strings, money as integer micro-dollars, windows as date strings. The property test checks that the
/// ledger agrees with it on every verdict and on the final usage.
struct ReferenceModel {
    struct Expected: Equatable {
        var kind: String  // applied | duplicate | conflict
        var outcome: String?
        var status: Int?
        var reason: String?
        var state: String?
    }

    var states: [String: String] = [:]
    var limits: [String: (perTx: Int64?, daily: Int64?, monthly: Int64?, disabled: Bool)] = [:]
    var usage: [String: Int64] = [:]
    var seen: [String: (json: String, expected: Expected)] = [:]

    mutating func apply(eventId: String, tenant: String, json: String, value: JSONValue) -> Expected {
        if let earlier = seen[eventId] {
            guard earlier.json == json else { return Expected(kind: "conflict") }
            var again = earlier.expected
            again.kind = "duplicate"
            return again
        }
        let expected = decide(tenant: tenant, value)
        seen[eventId] = (json, expected)
        return expected
    }

    private mutating func decide(tenant: String, _ v: JSONValue) -> Expected {
        let state = states[tenant] ?? "sandbox_only"
        func rejected(_ status: Int, _ reason: String?) -> Expected {
            Expected(kind: "applied", outcome: "rejected", status: status, reason: reason, state: state)
        }
        func moved(_ to: String, _ status: Int) -> Expected {
            states[tenant] = to
            return Expected(kind: "applied", outcome: "accepted", status: status, reason: nil, state: to)
        }
        switch v["type"]?.stringValue {
        case "declaration.submitted":
            guard v["actor"]?["role"]?.stringValue == "owner" else { return rejected(403, "actor_not_owner") }
            guard state == "sandbox_only" || state == "production_denied" else {
                return rejected(403, "state_does_not_allow_declaration")
            }
            return moved("declaration_pending", 202)
        case "decision.recorded":
            let action = v["action"]?.stringValue ?? ""
            let allowed: [String: [String: String]] = [
                "approve": ["declaration_pending": "production_approved", "production_suspended": "production_approved"],
                "deny": ["declaration_pending": "production_denied"],
                "suspend": ["production_approved": "production_suspended"],
            ]
            if action == "set_ceiling" {
                let c = v["ceiling"]
                func micros(_ name: String) -> Int64? { c?[name]?.stringValue.map { Int64(Double($0)! * 1_000_000) } }
                limits[tenant] = (micros("per_tx"), micros("daily"), micros("monthly"), c?["disabled"] == .bool(true))
                return moved(state, 200)
            }
            guard let to = allowed[action]?[state] else { return rejected(409, "invalid_transition") }
            return moved(to, 200)
        default:
            return attempt(tenant: tenant, state: state, v)
        }
    }

    private mutating func attempt(tenant: String, state: String, _ v: JSONValue) -> Expected {
        func result(_ allowed: Bool, _ status: Int, _ reason: String?) -> Expected {
            Expected(kind: "applied", outcome: allowed ? "allowed" : "denied", status: status, reason: reason)
        }
        if v["environment"]?.stringValue == "test" { return result(true, 200, nil) }
        guard state == "production_approved" else { return result(false, 403, "live_access_not_approved") }
        let l = limits[tenant] ?? (nil, nil, nil, false)
        if l.disabled { return result(true, 200, nil) }
        let text = v["amount"]!.stringValue!
        let parts = text.split(separator: ".")
        let fraction = parts.count > 1 ? String(parts[1]).padding(toLength: 6, withPad: "0", startingAt: 0) : "000000"
        let amount = Int64(parts[0])! * 1_000_000 + Int64(fraction)!
        let at = v["occurred_at"]!.stringValue!
        let dayKey = "\(tenant)|\(at.prefix(10))"
        let monthKey = "\(tenant)|\(at.prefix(7))"
        if amount > (l.perTx ?? 100_000_000) { return result(false, 403, "exceeds_tenant_beta_ceiling_per_tx") }
        if usage[dayKey, default: 0] + amount > (l.daily ?? 500_000_000) {
            return result(false, 403, "exceeds_tenant_beta_ceiling_daily")
        }
        if usage[monthKey, default: 0] + amount > (l.monthly ?? 2_000_000_000) {
            return result(false, 403, "exceeds_tenant_beta_ceiling_monthly")
        }
        usage[dayKey, default: 0] += amount
        usage[monthKey, default: 0] += amount
        return result(true, 200, nil)
    }
}
