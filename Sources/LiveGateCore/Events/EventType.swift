/// The input event types and the topic each one belongs on. A resolution shares its attempt's topic and key,
/// so it is always read after the attempt.
public enum EventType: String, Sendable, CaseIterable {
    case declarationSubmitted = "declaration.submitted"
    case decisionRecorded = "decision.recorded"
    case transactionAttempted = "transaction.attempted"
    case transactionResolved = "transaction.resolved"

    public var topic: String {
        switch self {
        case .declarationSubmitted: return Topics.declarationSubmitted
        case .decisionRecorded: return Topics.decision
        case .transactionAttempted, .transactionResolved: return Topics.transactionAttempt
        }
    }
}

/// The topic names of the wire contract.
public enum Topics {
    public static let declarationSubmitted = "sly.declaration-submitted.v1"
    public static let decision = "sly.decision.v1"
    public static let transactionAttempt = "sly.transaction-attempt.v1"
    public static let accessVerdict = "sly.access-verdict.v1"
    public static let transactionVerdict = "sly.transaction-verdict.v1"
    public static let notification = "sly.notification.v1"
    public static let tenantStatus = "sly.tenant-status.v1"
    public static let deadLetter = "sly.dead-letter.v1"

    /// Header of every transaction verdict record: the SHA-256 of the canonical input it answers (the
    /// fingerprint the store keeps), so a reader can tell whose verdict it is when two inputs claimed one
    /// `event_id` (the second is dead-lettered as `idempotency_conflict`). Not part of the value.
    public static let inputSHA256Header = "livegate-input-sha256"

    public static let inputs = [declarationSubmitted, decision, transactionAttempt]
    public static let outputs = [accessVerdict, transactionVerdict, notification, tenantStatus, deadLetter]
}
