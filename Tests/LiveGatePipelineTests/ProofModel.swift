import Foundation
import LiveGateCore

/// An independent account of what LiveGate must answer to the attempts of tenants that no mid-stream decision
/// touches: approved, platform ceilings ($100 per transaction, $500 a day, $2,000 a month), every attempt in
/// the same UTC day, and one tenant's attempts applied in the order they were published (they share a
/// partition). Written from the contract's decision order, not from the ledger's code, with v1.2's
/// `max_amount_now` and `retry_at`.
struct ProofModel {
    struct Expected: Equatable, CustomStringConvertible {
        let outcome: String
        let reason: String?
        /// Micro-dollars; nil for the test environment.
        var maxAmountNow: Int64? = nil
        var retryAt: String? = nil

        var description: String {
            "\(outcome) \(reason ?? "") max_amount_now \(maxAmountNow.map(String.init) ?? "null") "
                + "retry_at \(retryAt ?? "null")"
        }
    }

    private(set) var expected: [String: Expected] = [:]
    /// Micro-dollars booked per tenant (day and month alike: one day).
    private(set) var booked: [String: Int64] = [:]
    /// When the attempts' day resets.
    private let dayResets: String

    init(_ work: ProofWorkload) {
        dayResets = Self.nextMidnight(after: work.attemptsAt)
        let tenants = work.undecidedTenants
        for attempt in work.plan where tenants.contains(attempt.tenant) {
            expected[attempt.id] = decide(attempt.tenant, micros: Self.micros(attempt.amount), live: attempt.live)
        }
    }

    private mutating func decide(_ tenant: String, micros amount: Int64, live: Bool) -> Expected {
        guard live else { return Expected(outcome: "allowed", reason: nil) }
        let used = booked[tenant, default: 0]
        // One day, so the month holds what the day holds and its $2,000 is never the tightest.
        func left(after used: Int64) -> Int64 { max(0, min(100_000_000, 500_000_000 - used)) }
        if amount > 100_000_000 {
            return Expected(
                outcome: "denied", reason: "exceeds_tenant_beta_ceiling_per_tx", maxAmountNow: left(after: used))
        }
        if used + amount > 500_000_000 {
            // Every amount fits an empty day: waiting for the next midnight helps.
            return Expected(
                outcome: "denied", reason: "exceeds_tenant_beta_ceiling_daily", maxAmountNow: left(after: used),
                retryAt: dayResets)
        }
        booked[tenant] = used + amount
        return Expected(outcome: "allowed", reason: nil, maxAmountNow: left(after: used + amount))
    }

    /// "33.333333" → 33_333_333, by the digits alone.
    static func micros(_ amount: String) -> Int64 {
        let parts = amount.split(separator: ".", omittingEmptySubsequences: false)
        let whole = Int64(parts[0])! * 1_000_000
        guard parts.count == 2 else { return whole }
        let fraction = String(parts[1]).padding(toLength: 6, withPad: "0", startingAt: 0)
        return whole + Int64(fraction)!
    }

    /// The UTC midnight after the date of `instant` (RFC 3339), by Foundation's calendar, not the core's.
    static func nextMidnight(after instant: String) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let ymd = instant.prefix(10).split(separator: "-").map { Int($0)! }
        let day = calendar.date(from: DateComponents(year: ymd[0], month: ymd[1], day: ymd[2]))!
        let next = calendar.dateComponents(
            [.year, .month, .day], from: calendar.date(byAdding: .day, value: 1, to: day)!)
        return String(format: "%04d-%02d-%02dT00:00:00.000Z", next.year!, next.month!, next.day!)
    }
}
