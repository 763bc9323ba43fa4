/// A tenant's production-access state. A tenant never seen before is `sandboxOnly`.
public enum AccessState: String, Sendable, CaseIterable {
    case sandboxOnly = "sandbox_only"
    case declarationPending = "declaration_pending"
    case productionApproved = "production_approved"
    case productionDenied = "production_denied"
    case productionSuspended = "production_suspended"

    public var liveAllowed: Bool { self == .productionApproved }
}

/// Everything that can move a tenant's access state.
public enum AccessAction: Sendable, Hashable, CaseIterable {
    case declare
    case decide(DecisionAction)

    public static let allCases: [AccessAction] = [.declare] + DecisionAction.allCases.map { .decide($0) }

    public var name: String {
        switch self {
        case .declare: return "declare"
        case let .decide(action): return action.rawValue
        }
    }
}

/// The contract's transition table, and nothing else.
public enum AccessMachine {
    /// The state after `action` from `state`, or `nil` when the pair is not in the table.
    public static func next(from state: AccessState, on action: AccessAction) -> AccessState? {
        switch (action, state) {
        case (.declare, .sandboxOnly), (.declare, .productionDenied): return .declarationPending
        case (.decide(.approve), .declarationPending), (.decide(.approve), .productionSuspended):
            return .productionApproved
        case (.decide(.deny), .declarationPending): return .productionDenied
        case (.decide(.suspend), .productionApproved): return .productionSuspended
        case (.decide(.setCeiling), _): return state
        default: return nil
        }
    }
}
