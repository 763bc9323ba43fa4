import Crypto

/// What an attempt's verdict was decided from, as the store keeps it instead of the verdict's text (issue 23):
/// about a tenth of the bytes. A redelivery must still get the verdict's exact bytes, so the facts are rebuilt
/// into a `TransactionVerdict` and written by its own encoder; and the ledger keeps facts only after checking
/// that they rebuild the bytes it publishes (`TransactionVerdict.facts(rebuilding:)`). A verdict they cannot rebuild (a
/// 400 with field errors, a report that is not the ceiling's own) is kept as text, as before. And the facts
/// carry a digest of those bytes, checked on every rebuild (`bytes(eventId:tenantId:)`): a later build whose
/// encoder would give other bytes for encoding 1 is refused, never believed.
///
/// What is left out is what the encoder derives: `outcome` (allowed exactly when the status is 200),
/// `requested` (the amount), the window's `limit` (the ceiling's, by the window's name), `remaining` (what the
/// limit leaves of `used`, never negative), and `window_start` / `resets_at` (the day or month `occurred_at`
/// falls in).
public struct VerdictFacts: Sendable, Equatable {
    /// The encoding these facts rebuild with. A change to what the verdict's bytes would be (a field added,
    /// an order changed) is a new encoding, and the store refuses to rebuild one it does not know. (The store's
    /// `verdict_encoding` column names a row's layout, 1 or 2 since migration 15, each rebuilding with this
    /// encoding; a new encoding needs a layout number of its own there.)
    public static let encoding = 1

    public var status: Int
    public var code: String?
    public var reason: String?
    public var environment: Environment?
    public var rail: Rail?
    public var currency: String?
    public var amount: Micros?
    public var window: WindowReport.Name?
    public var used: Micros?
    public var maxAmountNow: Micros?
    public var retryAt: UTCInstant?
    public var ceiling: EffectiveCeiling
    /// The attempt's `occurred_at`: the window a report describes is the one it falls in.
    public var occurredAt: UTCInstant?
    public var decidedAt: UTCInstant
    /// `VerdictFacts.digest(of:)` the bytes these facts were kept for.
    public var digest: Int64

    public init(
        status: Int, code: String?, reason: String?, environment: Environment?, rail: Rail?, currency: String?,
        amount: Micros?, window: WindowReport.Name?, used: Micros?, maxAmountNow: Micros?, retryAt: UTCInstant?,
        ceiling: EffectiveCeiling, occurredAt: UTCInstant?, decidedAt: UTCInstant, digest: Int64
    ) {
        (self.status, self.code, self.reason) = (status, code, reason)
        (self.environment, self.rail, self.currency, self.amount) = (environment, rail, currency, amount)
        (self.window, self.used, self.maxAmountNow, self.retryAt) = (window, used, maxAmountNow, retryAt)
        (self.ceiling, self.occurredAt, self.decidedAt, self.digest) = (ceiling, occurredAt, decidedAt, digest)
    }

    /// The first 8 bytes of the SHA-256 of `bytes`, big-endian: enough to tell an encoder that drifted (it would
    /// change every verdict it rebuilds), in 8 bytes a row.
    public static func digest(of bytes: [UInt8]) -> Int64 {
        Int64(bitPattern: SHA256.hash(data: bytes).prefix(8).reduce(0) { $0 << 8 | UInt64($1) })
    }

    /// The verdict's bytes, rebuilt from the facts; nil when they are not the bytes the facts were kept for.
    public func bytes(eventId: String, tenantId: String) -> [UInt8]? {
        let bytes = verdict(eventId: eventId, tenantId: tenantId).record.value
        return Self.digest(of: bytes) == digest ? bytes : nil
    }

    /// The verdict these facts were taken from, for `eventId` of `tenantId`; its `record` carries the bytes.
    public func verdict(eventId: String, tenantId: String) -> TransactionVerdict {
        TransactionVerdict(
            eventId: eventId, tenantId: tenantId,
            attempt: Attempt(
                occurredAt: occurredAt, environment: environment, rail: rail, amount: amount, currency: currency,
                agentId: nil, rejection: nil),
            decision: decision, ceiling: ceiling, decidedAt: decidedAt)
    }

    private var decision: AttemptDecision {
        var decision = AttemptDecision(
            allowed: status == 200, status: status, code: code, reason: reason, errors: [], report: report,
            books: false)
        decision.maxAmountNow = maxAmountNow
        decision.retryAt = retryAt
        return decision
    }

    private var report: WindowReport? {
        guard let window else { return nil }
        let limits = ceiling.limits
        switch window {
        case .perTx:
            return WindowReport(name: .perTx, limit: limits.perTx, used: nil, remaining: nil, window: nil)
        case .daily, .monthly:
            let limit = window == .daily ? limits.daily : limits.monthly
            let span = occurredAt.map { window == .daily ? UsageWindow.day(containing: $0) : .month(containing: $0) }
            return WindowReport(
                name: window, limit: limit, used: used, remaining: used.map { max(.zero, limit - $0) }, window: span)
        }
    }
}

extension TransactionVerdict {
    /// The facts of this verdict when they rebuild `published`, the bytes its record carries; nil when only
    /// the text can (field errors, or a report other than the ceiling's own for its window).
    public func facts(rebuilding published: [UInt8]) -> VerdictFacts? {
        guard decision.errors.isEmpty else { return nil }
        let facts = VerdictFacts(
            status: decision.status, code: decision.code, reason: decision.reason,
            environment: attempt.environment, rail: attempt.rail, currency: attempt.currency,
            amount: attempt.amount, window: decision.report?.name, used: decision.report?.used,
            maxAmountNow: decision.maxAmountNow, retryAt: decision.retryAt, ceiling: ceiling,
            occurredAt: attempt.occurredAt, decidedAt: decidedAt, digest: VerdictFacts.digest(of: published))
        let rebuilt = facts.verdict(eventId: eventId, tenantId: tenantId)
        return rebuilt.record.value == published ? facts : nil
    }
}
