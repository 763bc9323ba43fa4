import Foundation
import LiveGateCore
import LiveGatePipeline
import LiveGateStore
import LiveGateTestSupport
import Postgres
import Testing

/// Sizes of the reliability proofs. CI runs the defaults; `deploy/proofs.sh` runs them larger.
struct ProofScale {
    let attempts: Int
    let tenants: Int
    let kills: Int

    static let current = ProofScale(
        attempts: env("LIVEGATE_PROOF_ATTEMPTS") ?? 20_000, tenants: env("LIVEGATE_PROOF_TENANTS") ?? 50,
        kills: env("LIVEGATE_PROOF_KILLS") ?? 5)

    static func env(_ name: String) -> Int? { ProcessInfo.processInfo.environment[name].flatMap(Int.init) }
}

/// A workload of declarations, approvals, attempts (many of them at their ceilings) and mid-stream decisions.
struct ProofWorkload {
    let tenants: [String]
    let setup: [(id: String, json: String)]
    let attempts: [(id: String, json: String)]
    let decisions: [(id: String, json: String)]

    init(scale: ProofScale, seed: UInt64 = 42) {
        var rng = SplitMix(seed: seed)
        let tenants = (0..<scale.tenants).map { "p-\($0)" }
        self.tenants = tenants
        setup = tenants.flatMap { t in
            [("d-\(t)", Fixtures.declaration("d-\(t)", tenant: t)), ("a-\(t)", Fixtures.decision("a-\(t)", tenant: t, action: "approve"))]
        }
        let now = Fixtures.now()
        let amounts = ["0.01", "1", "5.5", "9.99", "12", "20", "33.333333", "50", "75", "99.999999", "100", "100.01"]
        attempts = (0..<scale.attempts).map { i in
            let t = tenants[Int(rng.next() % UInt64(tenants.count))]
            let amount = amounts[Int(rng.next() % UInt64(amounts.count))]
            let env = rng.next() % 10 == 0 ? "test" : "live"
            return ("x-\(i)", Fixtures.attempt("x-\(i)", tenant: t, amount: amount, at: now, environment: env))
        }
        // Mid-stream admin work on a few tenants: only lowering ceilings, suspending and reinstating, so no
        // tenant may ever pass the platform's $100 / $500 / $2,000.
        decisions = tenants.prefix(max(2, tenants.count / 10)).enumerated().flatMap { i, t -> [(String, String)] in
            i % 2 == 0
                ? [("c-\(t)", Fixtures.decision("c-\(t)", tenant: t, action: "set_ceiling", notes: nil,
                                                ceiling: #"{"per_tx":"50","daily":"300"}"#))]
                : [("s-\(t)", Fixtures.decision("s-\(t)", tenant: t, action: "suspend")),
                   ("r-\(t)", Fixtures.decision("r-\(t)", tenant: t, action: "approve", notes: nil))]
        }
    }

    var allIds: [String] { setup.map(\.id) + attempts.map(\.id) + decisions.map(\.id) }

    /// Declares every tenant, waits for the answers, then approves them all: topics are not ordered with
    /// respect to each other, so the approvals must not overtake the declarations.
    func approveTenants(_ h: PipelineHarness, _ out: OutputWatcher) throws {
        for prefix in ["d-", "a-"] {
            let phase = setup.filter { $0.id.hasPrefix(prefix) }
            try h.publish(phase.map(\.json))
            try #require(try out.awaitAnswers(phase.map(\.id), timeoutSeconds: 120))
        }
    }
}

/// What every proof checks at its end, with the figures it prints.
struct ProofInvariants {
    var missing: [String] = []
    var contradicting: [String] = []
    var republished = 0
    var overCeiling: [String] = []
    var reconcile: Reconciler.Report

    var holds: Bool { missing.isEmpty && contradicting.isEmpty && overCeiling.isEmpty && reconcile.isClean }

    static func check(ids: [String], watcher: OutputWatcher, databaseURL: String) throws -> ProofInvariants {
        var result = ProofInvariants(reconcile: try Reconciler.run(url: databaseURL))
        for id in ids {
            guard let copies = watcher.answers[ByteID(id)] else { result.missing.append(id); continue }
            if Set(copies).count > 1 { result.contradicting.append(id) }
            result.republished += copies.count - 1
        }
        let db = try PostgresConnection(url: databaseURL)
        for row in try db.query("""
            SELECT tenant_id, window_kind, window_start, used_micros FROM usage_windows
            WHERE (window_kind = 'day' AND used_micros > 500000000) OR (window_kind = 'month' AND used_micros > 2000000000)
            """).rows {
            result.overCeiling.append(row.compactMap { $0 }.joined(separator: " "))
        }
        return result
    }

    func report(_ title: String, figures: [String]) -> String {
        ([title] + figures + [
            "missing verdicts: \(missing.count)", "contradicting verdicts: \(contradicting.count)",
            "republished identical verdicts: \(republished)", "windows over a ceiling: \(overCeiling.count)",
            "reconcile: \(reconcile.bookings) bookings, $\(reconcile.bookedTotal), "
                + (reconcile.isClean ? "clean" : "\(reconcile.differences.count) differences"),
        ]).joined(separator: "\n  ")
    }
}

/// A small deterministic generator, so a failing proof can be rerun with the same workload.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
