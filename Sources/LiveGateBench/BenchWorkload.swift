import Foundation
import LiveGateCore

/// The load `livegate bench` offers: attempts over many tenants, mostly live and approved, a tenth of the
/// tenants with a low daily ceiling (so they run into it), a tenth of the attempts in the test environment,
/// and 2% repeats of earlier attempts (which must be answered from the store).
struct BenchWorkload {
    let tenants: [String]
    /// Declarations, approvals and the low ceilings, applied before the clock starts.
    let setup: [[UInt8]]
    /// The attempts in publishing order, with the tenant each belongs to.
    let attempts: [(tenant: String, value: [UInt8])]
    /// How many of `attempts` repeat an earlier one.
    let repeats: Int
    /// For each repeat, the index of the attempt it repeats (always an earlier one).
    let repeatOf: [Int: Int]
    /// One test-environment attempt per tenant, answered before the clock starts: every partition that the
    /// load uses has been fetched from and answered once, so no first fetch or assignment is measured.
    let warmups: [(tenant: String, value: [UInt8])]
    static let maxWarmups = 10_000

    init(attempts count: Int, tenants tenantCount: Int, prefix: String, now: UTCInstant) {
        var rng = SystemRandomNumberGenerator()
        let tenants = (0..<tenantCount).map { "\(prefix)t\($0)" }
        self.tenants = tenants
        let at = JSONValue.string(now.description)
        func event(_ id: String, _ type: EventType, _ tenant: String, _ fields: [(String, JSONValue)]) -> [UInt8] {
            JSONWriter.bytes(
                .object(
                    [
                        ("event_id", .string(id)), ("type", .string(type.rawValue)),
                        ("tenant_id", .string(tenant)), ("occurred_at", at),
                    ] + fields))
        }
        var setup: [[UInt8]] = []
        for (i, t) in tenants.enumerated() {
            setup.append(
                event(
                    "\(t)-d", .declarationSubmitted, t,
                    [
                        (
                            "actor",
                            .object([("kind", .string("user")), ("id", .string("o")), ("role", .string("owner"))])
                        ),
                        (
                            "declaration",
                            .object([
                                ("intended_use_case", .string("Benchmark tenant paying for APIs")),
                                ("accepted_terms", .bool(true)),
                            ])
                        ),
                    ]))
            let admin: JSONValue = .object([("kind", .string("platform_admin")), ("id", .string("a"))])
            let ceiling: [(String, JSONValue)] =
                i % 10 == 0
                ? [("ceiling", .object([("daily", .string("20.00"))]))] : []
            setup.append(
                event("\(t)-a", .decisionRecorded, t, [("actor", admin), ("action", .string("approve"))] + ceiling))
        }
        self.setup = setup
        var attempts: [(String, [UInt8])] = []
        attempts.reserveCapacity(count)
        var repeatOf: [Int: Int] = [:]
        for i in 0..<count {
            if i > 100, Int.random(in: 0..<50, using: &rng) == 0 {
                let original = Int.random(in: 0..<attempts.count, using: &rng)
                attempts.append(attempts[original])
                repeatOf[i] = original
                continue
            }
            let t = tenants[Int.random(in: 0..<tenants.count, using: &rng)]
            let cents = Int.random(in: 50...300, using: &rng)
            attempts.append(
                (
                    t,
                    event(
                        "\(prefix)x\(i)", .transactionAttempted, t,
                        [
                            ("actor", .object([("kind", .string("api_key")), ("id", .string("k"))])),
                            ("environment", .string(Int.random(in: 0..<10, using: &rng) == 0 ? "test" : "live")),
                            ("rail", .string("x402")),
                            ("amount", .string("\(cents / 100).\(String(format: "%02d", cents % 100))")),
                            ("currency", .string("USD")),
                        ])
                ))
        }
        self.attempts = attempts
        self.repeats = repeatOf.count
        self.repeatOf = repeatOf
        // One test-environment attempt for each of the first 10,000 tenants: every partition answers before the
        // clock starts (a million warm-ups would outlast the run, and batches of one would take a quarter hour).
        warmups = tenants.prefix(Self.maxWarmups).enumerated().map { i, tenant in
            (
                tenant,
                event(
                    "\(VerdictClock.warmupPrefix)\(prefix)\(i)", .transactionAttempted, tenant,
                    [
                        ("actor", .object([("kind", .string("api_key")), ("id", .string("k"))])),
                        ("environment", .string("test")),
                        ("rail", .string("x402")), ("amount", .string("1.00")), ("currency", .string("USD")),
                    ])
            )
        }
    }
}

extension BenchWorkload {
    /// `values[range]` (the attempts' bytes) with `occurred_at` set to `instant`: attempts are written before
    /// the setup, which takes minutes at a million tenants, and an `occurred_at` more than 5 minutes before the
    /// record's timestamp is refused (400, the skew rule) without reaching the ceilings. A repeat copies the bytes
    /// its original was published with, so it stays a repeat (the same fingerprint), not a conflict.
    func stamp(_ values: inout [[UInt8]], _ range: Range<Int>, at instant: UTCInstant) {
        let time = Array(instant.description.utf8)
        for i in range {
            if let original = repeatOf[i] { values[i] = values[original] } else { Self.restamp(&values[i], time) }
        }
    }

    /// Overwrites the 24 bytes of RFC 3339 time (milliseconds, `Z`) after `"occurred_at":"`.
    static func restamp(_ value: inout [UInt8], _ time: [UInt8]) {
        guard time.count == 24, let start = firstIndex(of: occurredKey, in: value), start + 24 <= value.count
        else { return }
        value.replaceSubrange(start..<start + 24, with: time)
    }

    private static let occurredKey = Array("\"occurred_at\":\"".utf8)

    /// The index just past the first occurrence of `pattern`.
    private static func firstIndex(of pattern: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= pattern.count else { return nil }
        for start in 0...(bytes.count - pattern.count)
        where bytes[start] == pattern[0] && bytes[start..<start + pattern.count].elementsEqual(pattern) {
            return start + pattern.count
        }
        return nil
    }
}
