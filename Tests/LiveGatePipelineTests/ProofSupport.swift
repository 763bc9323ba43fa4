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
    /// What each attempt asks, in publish order (for `ProofModel`).
    let plan: [(id: String, tenant: String, amount: String, live: Bool)]
    let decisions: [(id: String, json: String)]
    /// Every attempt's `occurred_at`: one instant, so one UTC day and month.
    let attemptsAt: String

    init(scale: ProofScale, seed: UInt64 = 42) {
        var rng = SplitMix(seed: seed)
        let tenants = (0..<scale.tenants).map { "p-\($0)" }
        self.tenants = tenants
        setup = tenants.flatMap { t in
            [
                ("d-\(t)", Fixtures.declaration("d-\(t)", tenant: t)),
                ("a-\(t)", Fixtures.decision("a-\(t)", tenant: t, action: "approve", at: Fixtures.now())),
            ]
        }
        let now = Fixtures.now()
        attemptsAt = now
        let amounts = ["0.01", "1", "5.5", "9.99", "12", "20", "33.333333", "50", "75", "99.999999", "100", "100.01"]
        plan = (0..<scale.attempts).map { i in
            let t = tenants[Int(rng.next() % UInt64(tenants.count))]
            let amount = amounts[Int(rng.next() % UInt64(amounts.count))]
            return ("x-\(i)", t, amount, rng.next() % 10 != 0)
        }
        attempts = plan.map {
            (
                $0.id,
                Fixtures.attempt(
                    $0.id, tenant: $0.tenant, amount: $0.amount, at: now, environment: $0.live ? "live" : "test")
            )
        }
        // Mid-stream admin work on a few tenants: only lowering ceilings, suspending and reinstating, so no
        // tenant may ever pass the platform's $100 / $500 / $2,000.
        decisions = tenants.prefix(max(2, tenants.count / 10)).enumerated().flatMap { i, t -> [(String, String)] in
            i % 2 == 0
                ? [
                    (
                        "c-\(t)",
                        Fixtures.decision(
                            "c-\(t)", tenant: t, action: "set_ceiling", at: Fixtures.now(), notes: nil,
                            ceiling: #"{"per_tx":"50","daily":"300"}"#)
                    )
                ]
                : [
                    ("s-\(t)", Fixtures.decision("s-\(t)", tenant: t, action: "suspend", at: Fixtures.now())),
                    (
                        "r-\(t)",
                        Fixtures.decision("r-\(t)", tenant: t, action: "approve", at: Fixtures.now(), notes: nil)
                    ),
                ]
        }
    }

    var allIds: [String] { setup.map(\.id) + attempts.map(\.id) + decisions.map(\.id) }

    /// Tenants that no mid-stream decision touches: `ProofModel` predicts every one of their verdicts.
    var undecidedTenants: Set<String> {
        let decided = Set(
            decisions.compactMap { Fixtures.record($0.json).key.map { String(decoding: $0, as: UTF8.self) } })
        return Set(tenants).subtracting(decided)
    }

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
    /// Valid inputs whose only answer is a dead letter: a dead letter is not an answer to a valid input.
    var deadLettered: [String] = []
    var contradicting: [String] = []
    var republished = 0
    var overCeiling: [String] = []
    /// Verdicts of undecided tenants that differ from `ProofModel`, and usage that differs from its bookings.
    var modelMismatches: [String] = []
    /// Tenants whose last status record does not carry the version PostgreSQL holds.
    var statusBehind: [String] = []
    /// Notification ids published with more than one content.
    var notificationConflicts: [String] = []
    var outcomes: [String: Int] = [:]
    var reconcile: Reconciler.Report

    var holds: Bool {
        missing.isEmpty && deadLettered.isEmpty && contradicting.isEmpty && overCeiling.isEmpty
            && modelMismatches.isEmpty && statusBehind.isEmpty && notificationConflicts.isEmpty && reconcile.isClean
    }

    /// Every one of `work`'s inputs must have a verdict (identical copies only), undecided tenants exactly the
    /// model's, the outcome mix what the workload was built for (some allowed, some stopped by a ceiling, none
    /// by clock skew), every tenant within its ceilings, the status topic current, and reconcile clean.
    static func check(_ work: ProofWorkload, watcher: OutputWatcher, databaseURL: String) throws -> ProofInvariants {
        var result = ProofInvariants(reconcile: try Reconciler.run(url: databaseURL))
        let model = ProofModel(work)
        for id in work.allIds {
            guard let copies = watcher.answers[ByteID(id)] else { result.missing.append(id); continue }
            let verdicts = copies.compactMap { try? JSONParser.parse($0) }.filter { $0["error"] == nil }
            guard let verdict = verdicts.first else { result.deadLettered.append(id); continue }
            if Set(copies).count > 1 { result.contradicting.append(id) }
            result.republished += copies.count - 1
            guard id.hasPrefix("x-") else { continue }
            let reason = verdict["reason"]?.stringValue
            let kind =
                verdict["outcome"] == .string("allowed")
                ? "allowed"
                : reason?.hasPrefix("exceeds_tenant_beta_ceiling") == true
                    ? "ceiling"
                    : reason == "occurred_at_skew" ? "skew" : "other denial"
            result.outcomes[kind, default: 0] += 1
            if kind == "allowed", let broken = Self.pastItsCeiling(verdict) {
                result.overCeiling.append("\(id): \(broken)")
            }
            let observed = ProofModel.Expected(
                outcome: verdict["outcome"]?.stringValue ?? "", reason: reason,
                maxAmountNow: verdict["max_amount_now"]?.stringValue.map(ProofModel.micros),
                retryAt: verdict["retry_at"]?.stringValue)
            if let expected = model.expected[id], expected != observed {
                result.modelMismatches.append("\(id): expected \(expected), got \(observed)")
            }
        }
        let db = try PostgresConnection(url: databaseURL)
        try result.checkUsage(db, work: work, model: model)
        result.statusBehind = Self.statusLag(db: db, watcher: watcher)
        result.notificationConflicts = Self.notificationConflicts(watcher)
        return result
    }

    /// An allowed live verdict checked against the ceiling it reports, the tenant's own at that moment
    /// (lowered by a mid-stream decision or not): the amount within `per_tx`, the window's usage within its limit.
    static func pastItsCeiling(_ verdict: JSONValue) -> String? {
        guard verdict["environment"] == .string("live"), let amount = verdict["amount"]?.stringValue,
            let perTx = verdict["ceiling"]?["per_tx"]?.stringValue
        else { return nil }
        if ProofModel.micros(amount) > ProofModel.micros(perTx) { return "amount \(amount) over per_tx \(perTx)" }
        if let used = verdict["used"]?.stringValue, let limit = verdict["limit"]?.stringValue,
            ProofModel.micros(used) > ProofModel.micros(limit)
        {
            return "\(verdict["window"]?.stringValue ?? "window") used \(used) over \(limit)"
        }
        return nil
    }

    /// Undecided tenants: usage exactly the model's. Decided ones (only ever lowered): within the platform's.
    private mutating func checkUsage(_ db: PostgresConnection, work: ProofWorkload, model: ProofModel) throws {
        let undecided = work.undecidedTenants
        var used: [String: Int64] = [:]
        for row in try db.query("SELECT tenant_id, window_kind, used_micros FROM usage_windows").rows {
            guard let tenant = row[0], let kind = row[1], let micros = row[2].flatMap(Int64.init) else { continue }
            if kind == "day" { used[tenant] = micros }
            let limit: Int64 = kind == "day" ? 500_000_000 : 2_000_000_000
            if micros > limit { overCeiling.append("\(tenant) \(kind) \(micros)") }
        }
        for tenant in undecided where used[tenant, default: 0] != model.booked[tenant, default: 0] {
            modelMismatches.append(
                "\(tenant): used \(used[tenant, default: 0]), model \(model.booked[tenant, default: 0])")
        }
    }

    /// Tenants whose last status record on the topic does not carry their stored version.
    static func statusLag(db: PostgresConnection, watcher: OutputWatcher) -> [String] {
        var behind: [String] = []
        var last: [String: Int64] = [:]
        for record in watcher.records where record.topic == Topics.tenantStatus {
            guard let value = record.value, let json = try? JSONParser.parse(value),
                let tenant = json["tenant_id"]?.stringValue,
                case let .number(text)? = json["version"], let version = Int64(text)
            else { continue }
            last[tenant] = version
        }
        guard let rows = try? db.query("SELECT tenant_id, version FROM tenants WHERE version > 0").rows else {
            return ["tenants unreadable"]
        }
        for row in rows {
            guard let tenant = row[0], let version = row[1].flatMap(Int64.init) else { continue }
            if last[tenant] != version { behind.append("\(tenant): topic \(last[tenant] ?? -1), stored \(version)") }
        }
        return behind
    }

    /// Notification ids published with more than one content.
    static func notificationConflicts(_ watcher: OutputWatcher) -> [String] {
        var contents: [String: [UInt8]] = [:]
        var conflicts: [String] = []
        for record in watcher.records where record.topic == Topics.notification {
            guard let value = record.value, let id = (try? JSONParser.parse(value))?["notification_id"]?.stringValue
            else { continue }
            if let seen = contents[id], seen != value { conflicts.append(id) }
            contents[id] = value
        }
        return conflicts
    }

    /// Reads `watcher` until the status topic is current for every tenant (at most `seconds`): the contract
    /// allows 60 s after a fault for it to converge.
    static func awaitStatuses(_ watcher: OutputWatcher, databaseURL: String, seconds: Double = 60) throws {
        let db = try PostgresConnection(url: databaseURL)
        try watcher.read(timeoutSeconds: seconds) { _ in statusLag(db: db, watcher: watcher).isEmpty }
    }

    func report(_ title: String, figures: [String]) -> String {
        ([title] + figures + [
            "outcomes: " + outcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "),
            "missing verdicts: \(missing.count)", "answered only by a dead letter: \(deadLettered.count)",
            "contradicting verdicts: \(contradicting.count)", "republished identical verdicts: \(republished)",
            "windows over a ceiling: \(overCeiling.count)",
            "verdicts or usage unlike the model: \(modelMismatches.count)",
            "tenants whose last status is not current: \(statusBehind.count)",
            "notification ids with two contents: \(notificationConflicts.count)",
            "reconcile: \(reconcile.bookings) bookings, $\(reconcile.bookedTotal), "
                + (reconcile.isClean ? "clean" : "\(reconcile.differences.count) differences"),
        ]).joined(separator: "\n  ")
    }

    /// What a failed proof prints: the first few of each kind of violation.
    var failures: String {
        [
            ("missing", missing), ("dead-lettered", deadLettered), ("contradicting", contradicting),
            ("over", overCeiling),
            ("model", modelMismatches), ("status", statusBehind), ("notifications", notificationConflicts),
        ]
        .filter { !$0.1.isEmpty }.map { "\($0.0): \($0.1.prefix(5))" }.joined(separator: "; ")
            + (reconcile.isClean ? "" : " reconcile: \(reconcile.differences.prefix(5))")
    }

    /// The outcome mix the workload is built for: some allowed, some stopped by a ceiling, none by clock skew.
    var mixHolds: Bool {
        outcomes["allowed", default: 0] > 0 && outcomes["ceiling", default: 0] > 0 && outcomes["skew", default: 0] == 0
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
