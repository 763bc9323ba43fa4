import LiveGateCore
import Postgres

/// The columns of `processed_events` that keep an attempt verdict's facts, written and read in one order, and the
/// outputs a row stands for: the verdict rebuilt from its facts, then the outputs kept as text.
///
/// `verdict_encoding` says how a row keeps them; both rebuild with the verdict's encoding 1
/// (`VerdictFacts.encoding`):
/// - **1** (migration 14): every fact in its own column, `event_type` spelled out.
/// - **2** (migration 15): the same facts, without what the row already says (`RowForm`).
enum VerdictColumns {
    /// The facts, last in a `SELECT` of `processed_events p`; instants as epoch milliseconds.
    static let select: SQL = """
        p.verdict_encoding, p.verdict_status, p.verdict_code, p.verdict_reason, p.verdict_environment,
        p.verdict_rail, p.verdict_currency, p.verdict_amount_micros, p.verdict_window, p.verdict_used_micros,
        p.verdict_max_now_micros, (extract(epoch FROM p.verdict_retry_at) * 1000)::bigint,
        p.ceiling_per_tx_micros, p.ceiling_daily_micros, p.ceiling_monthly_micros, p.ceiling_disabled,
        p.ceiling_override, (extract(epoch FROM p.ceiling_expires_at) * 1000)::bigint,
        (extract(epoch FROM p.decided_at) * 1000)::bigint, p.verdict_digest, p.replay_micros, p.booked_micros

        """  // ends with a line break, so what follows may start with FROM
    static let count = 22

    // Expressions for a query of `processed_events p`, with a space on either side.
    /// The type of an event as a query reads it: a row of encoding 2 is an attempt and does not spell it out.
    static let eventType: SQL = " coalesce(p.event_type, 'transaction.attempted') "
    /// The verdict's amount as a query reads it from a row of facts (`RowForm.Kept.expanded`).
    static let amount: SQL =
        " CASE WHEN p.verdict_encoding = 2 THEN coalesce(p.verdict_amount_micros, p.replay_micros, p.booked_micros)"
        + " ELSE p.verdict_amount_micros END "
    /// The UTC day a booked attempt was booked on (NULL when it booked nothing): a row of encoding 2 leaves it out
    /// when it is the day of the attempt's `occurred_at`.
    static let bookedDay: SQL =
        " CASE WHEN p.booked_micros IS NOT NULL"
        + " THEN coalesce(p.booked_day, (p.occurred_at AT TIME ZONE 'UTC')::date) END "
    /// The verdict's environment as a query reads it from a row of facts.
    static let environment: SQL =
        " CASE WHEN p.verdict_encoding = 2 AND coalesce(p.replay_micros, p.booked_micros) IS NOT NULL"
        + " THEN coalesce(p.verdict_environment, 'live') ELSE p.verdict_environment END "
    /// The amount a simulation replays (`RowForm`): a row of encoding 2 leaves it out when it booked it.
    static let replayAmount: SQL =
        " CASE WHEN p.verdict_encoding = 2 THEN coalesce(p.replay_micros, p.booked_micros) ELSE p.replay_micros END "

    /// One array parameter per fact column, in `select`'s order up to the digest, one element per event (NULL where
    /// the row keeps no such fact; the whole array NULL when no row does); `LedgerStore.insertProcessed` names the
    /// columns.
    static func arrays(_ forms: [RowForm]) -> [String?] {
        func column(_ value: (RowForm.Kept) -> String?) -> String? {
            PostgresArray.sparseLiteral(forms.map { $0.kept.flatMap(value) })
        }
        return [
            column { String($0.encoding) }, column { String($0.facts.status) }, column(\.facts.code),
            column(\.facts.reason), column { $0.environment?.rawValue }, column { $0.facts.rail?.rawValue },
            column(\.facts.currency), column { Rows.string($0.amount) }, column { $0.facts.window?.rawValue },
            column { Rows.string($0.facts.used) }, column { Rows.string($0.facts.maxAmountNow) },
            column { Rows.string($0.facts.retryAt) }, column { $0.ceiling.map { String($0.limits.perTx.value) } },
            column { $0.ceiling.map { String($0.limits.daily.value) } },
            column { $0.ceiling.map { String($0.limits.monthly.value) } },
            column { $0.ceiling.map { $0.disabled ? "t" : "f" } },
            column { $0.ceiling.map { $0.source == .override ? "t" : "f" } },
            column { Rows.string($0.ceiling?.expiresAt) }, column { Rows.string($0.facts.decidedAt) },
            column { String($0.facts.digest) },
        ]
    }

    /// The facts in `row[first...]` (as `select` lists them), or nil when the row keeps its verdict as text.
    static func facts(_ row: [String?], first: Int, occurredAt: UTCInstant?) throws(StoreError) -> VerdictFacts? {
        guard row.count >= first + count else { throw .invariant("a processed_events row lacks its verdict's facts") }
        let f = Array(row[first..<(first + count)])
        guard let encodingText = f[0] else { return nil }
        guard let encoding = Int(encodingText), RowForm.encodings.contains(encoding) else {
            throw .invariant("a verdict is kept in encoding \(encodingText), which this LiveGate cannot rebuild")
        }
        guard let status = f[1].flatMap(Int.init), let decidedAt = try Rows.instant(f[18]),
            let digest = f[19].flatMap(Int64.init)
        else { throw .invariant("a verdict's facts are incomplete") }
        func known<T: RawRepresentable<String>>(_ text: String?) throws(StoreError) -> T? {
            guard let text else { return nil }
            guard let value = T(rawValue: text) else { throw .invariant("a verdict's fact \(text) is unknown") }
            return value
        }
        var ceiling: EffectiveCeiling?
        if let perTx = try Rows.micros(f[12]), let daily = try Rows.micros(f[13]),
            let monthly = try Rows.micros(f[14]), let disabled = f[15], let override = f[16]
        {
            ceiling = EffectiveCeiling(
                limits: CeilingLimits(perTx: perTx, daily: daily, monthly: monthly), disabled: disabled == "t",
                source: override == "t" ? .override : .platformDefault, expiresAt: try Rows.instant(f[17]))
        }
        let kept = RowForm.Kept(
            encoding: encoding,
            facts: VerdictFacts(
                status: status, code: f[2], reason: f[3], environment: nil, rail: try known(f[5]),
                currency: f[6], amount: nil, window: try known(f[8]), used: try Rows.micros(f[9]),
                maxAmountNow: try Rows.micros(f[10]), retryAt: try Rows.instant(f[11]),
                ceiling: ceiling ?? RowForm.elidedCeiling, occurredAt: occurredAt, decidedAt: decidedAt,
                digest: digest),
            amount: try Rows.micros(f[7]), environment: try known(f[4]), ceiling: ceiling)
        guard let facts = kept.expanded(replay: try Rows.micros(f[20]), booked: try Rows.micros(f[21])) else {
            throw .invariant("a verdict's facts are incomplete")
        }
        return facts
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
