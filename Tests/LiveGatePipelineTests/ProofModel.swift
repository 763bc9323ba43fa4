import LiveGateCore

/// An independent account of what LiveGate must answer to the attempts of tenants that no mid-stream decision
/// touches: approved, platform ceilings ($100 per transaction, $500 a day, $2,000 a month), every attempt in
/// the same UTC day, and one tenant's attempts applied in the order they were published (they share a
/// partition). Written from the contract's decision order, not from the ledger's code.
struct ProofModel {
    struct Expected: Equatable {
        let outcome: String
        let reason: String?
    }

    private(set) var expected: [String: Expected] = [:]
    /// Micro-dollars booked per tenant (day and month alike: one day).
    private(set) var booked: [String: Int64] = [:]

    init(_ work: ProofWorkload) {
        let tenants = work.undecidedTenants
        for attempt in work.plan where tenants.contains(attempt.tenant) {
            expected[attempt.id] = decide(attempt.tenant, micros: Self.micros(attempt.amount), live: attempt.live)
        }
    }

    private mutating func decide(_ tenant: String, micros amount: Int64, live: Bool) -> Expected {
        guard live else { return Expected(outcome: "allowed", reason: nil) }
        let used = booked[tenant, default: 0]
        if amount > 100_000_000 { return Expected(outcome: "denied", reason: "exceeds_tenant_beta_ceiling_per_tx") }
        if used + amount > 500_000_000 {
            return Expected(outcome: "denied", reason: "exceeds_tenant_beta_ceiling_daily")
        }
        if used + amount > 2_000_000_000 {
            return Expected(outcome: "denied", reason: "exceeds_tenant_beta_ceiling_monthly")
        }
        booked[tenant] = used + amount
        return Expected(outcome: "allowed", reason: nil)
    }

    /// "33.333333" → 33_333_333, by the digits alone.
    static func micros(_ amount: String) -> Int64 {
        let parts = amount.split(separator: ".", omittingEmptySubsequences: false)
        let whole = Int64(parts[0])! * 1_000_000
        guard parts.count == 2 else { return whole }
        let fraction = String(parts[1]).padding(toLength: 6, withPad: "0", startingAt: 0)
        return whole + Int64(fraction)!
    }
}
