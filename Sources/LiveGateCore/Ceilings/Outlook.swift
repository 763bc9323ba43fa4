/// What an attempt verdict tells its caller about the next attempt (contract v1.2, "Verdicts say what is
/// possible now"), so a money path can offer a smaller amount or a time to come back instead of a bare no.
/// Both are worked out from the same limits and usage the decision used: nothing here reads a clock.
enum Outlook {
    /// The largest amount an attempt at the same instant would be allowed: min(per_tx, daily − used today,
    /// monthly − used this month), never below zero (an admin may lower a limit below what was used). The usage
    /// is the one after the verdict took effect, so an allowed attempt's own amount is already counted.
    static func maxAmountNow(_ limits: CeilingLimits, usedToday: Micros, usedThisMonth: Micros) -> Micros {
        max(.zero, min(limits.perTx, limits.daily - usedToday, limits.monthly - usedThisMonth))
    }

    /// For an amount denied by the day or the month window: the earliest reset after which it fits both
    /// windows if nothing else is spent or released. A month reset is also a day reset, so when the month is
    /// short its reset empties both; when only the day is short, the next UTC midnight does (and if that is the
    /// first of a month, the month resets with it). Nil when the amount is over the per-transaction limit or
    /// over a window's limit on its own: no reset makes it fit, and a caller must not be told to wait for one.
    /// The ceiling is the one in force at the attempt; a later change (an override's `expires_at`) is not
    /// anticipated, since an admin may change the ceiling again before then.
    static func retryAt(
        _ amount: Micros, _ limits: CeilingLimits, usedThisMonth: Micros, at instant: UTCInstant
    ) -> UTCInstant? {
        guard amount <= limits.perTx, amount <= limits.daily, amount <= limits.monthly else { return nil }
        if usedThisMonth + amount > limits.monthly { return UsageWindow.month(containing: instant).resetsAt }
        return UsageWindow.day(containing: instant).resetsAt
    }
}
