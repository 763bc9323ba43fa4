import LiveGateCore
import Postgres

/// The columns of `processed_events` that keep an attempt verdict's facts (migration 14), written and read in one
/// order, and the outputs a row stands for: the verdict rebuilt from its facts, then the outputs kept as text.
enum VerdictColumns {
    /// The facts, last in a `SELECT` of `processed_events p`; instants as epoch milliseconds.
    static let select: SQL = """
        p.verdict_encoding, p.verdict_status, p.verdict_code, p.verdict_reason, p.verdict_environment,
        p.verdict_rail, p.verdict_currency, p.verdict_amount_micros, p.verdict_window, p.verdict_used_micros,
        p.verdict_max_now_micros, (extract(epoch FROM p.verdict_retry_at) * 1000)::bigint,
        p.ceiling_per_tx_micros, p.ceiling_daily_micros, p.ceiling_monthly_micros, p.ceiling_disabled,
        p.ceiling_override, (extract(epoch FROM p.ceiling_expires_at) * 1000)::bigint,
        (extract(epoch FROM p.decided_at) * 1000)::bigint, p.verdict_digest

        """  // ends with a line break, so what follows may start with FROM
    static let count = 20

    /// One array parameter per column, in `select`'s order, one element per event (NULL where an event keeps its
    /// verdict as text); `LedgerStore.insertProcessed` names the columns.
    static func arrays(_ facts: [VerdictFacts?]) -> [String?] {
        func column(_ value: (VerdictFacts) -> String?) -> String? {
            PostgresArray.literal(facts.map { $0.flatMap(value) })
        }
        return [
            column { _ in String(VerdictFacts.encoding) }, column { String($0.status) }, column(\.code),
            column(\.reason), column { $0.environment?.rawValue }, column { $0.rail?.rawValue }, column(\.currency),
            column { Rows.string($0.amount) }, column { $0.window?.rawValue }, column { Rows.string($0.used) },
            column { Rows.string($0.maxAmountNow) }, column { Rows.string($0.retryAt) },
            column { String($0.ceiling.limits.perTx.value) }, column { String($0.ceiling.limits.daily.value) },
            column { String($0.ceiling.limits.monthly.value) }, column { $0.ceiling.disabled ? "t" : "f" },
            column { $0.ceiling.source == .override ? "t" : "f" }, column { Rows.string($0.ceiling.expiresAt) },
            column { Rows.string($0.decidedAt) }, column { String($0.digest) },
        ]
    }

    /// The facts in `row[first...]` (as `select` lists them), or nil when the row keeps its verdict as text.
    static func facts(_ row: [String?], first: Int, occurredAt: UTCInstant?) throws(StoreError) -> VerdictFacts? {
        guard row.count >= first + count else { throw .invariant("a processed_events row lacks its verdict's facts") }
        let f = Array(row[first..<(first + count)])
        guard let encoding = f[0] else { return nil }
        guard encoding == String(VerdictFacts.encoding) else {
            throw .invariant("a verdict is kept in encoding \(encoding), which this LiveGate cannot rebuild")
        }
        guard let status = f[1].flatMap(Int.init), let perTx = try Rows.micros(f[12]),
            let daily = try Rows.micros(f[13]), let monthly = try Rows.micros(f[14]), let disabled = f[15],
            let override = f[16], let decidedAt = try Rows.instant(f[18]), let digest = f[19].flatMap(Int64.init)
        else { throw .invariant("a verdict's facts are incomplete") }
        func known<T: RawRepresentable<String>>(_ text: String?) throws(StoreError) -> T? {
            guard let text else { return nil }
            guard let value = T(rawValue: text) else { throw .invariant("a verdict's fact \(text) is unknown") }
            return value
        }
        return VerdictFacts(
            status: status, code: f[2], reason: f[3], environment: try known(f[4]), rail: try known(f[5]),
            currency: f[6], amount: try Rows.micros(f[7]), window: try known(f[8]), used: try Rows.micros(f[9]),
            maxAmountNow: try Rows.micros(f[10]), retryAt: try Rows.instant(f[11]),
            ceiling: EffectiveCeiling(
                limits: CeilingLimits(perTx: perTx, daily: daily, monthly: monthly), disabled: disabled == "t",
                source: override == "t" ? .override : .platformDefault, expiresAt: try Rows.instant(f[17])),
            occurredAt: occurredAt, decidedAt: decidedAt, digest: digest)
    }

    /// What a row stands for: the verdict its facts rebuild (when it keeps them), then the outputs kept as text.
    static func outputs(
        facts: VerdictFacts?, text: String?, eventId: String, tenantId: String
    ) throws(StoreError) -> [OutputRecord] {
        let kept = try text.map { text throws(StoreError) in try Rows.decodeOutputs(text, key: tenantId) } ?? []
        guard let facts else {
            guard text != nil else { throw .invariant("a processed_events row keeps neither facts nor text") }
            return kept
        }
        guard let verdict = facts.bytes(eventId: eventId, tenantId: tenantId) else {
            throw .invariant(
                "\(tenantId)/\(eventId): its verdict's facts no longer rebuild the bytes first published "
                    + "(encoding \(VerdictFacts.encoding)); refusing to answer with other bytes")
        }
        return [OutputRecord(topic: Topics.transactionVerdict, key: tenantId, value: verdict)] + kept
    }

    /// The outputs a row keeps as text: all of them, or those after a verdict kept as facts; nil when none.
    static func text(_ event: StoredEvent) -> String? {
        let kept = event.verdictFacts == nil ? event.outputs : Array(event.outputs.dropFirst())
        return kept.isEmpty ? nil : Rows.encodeOutputs(kept)
    }
}
