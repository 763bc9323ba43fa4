import LiveGateCore
import LiveGateTestSupport
import Testing

@Suite("Production-access state machine")
struct AccessMachineTests {
    /// The contract's table, written out independently of the implementation: (state, action) → next.
    static let table: [String: String] = [
        "sandbox_only/declare": "declaration_pending",
        "production_denied/declare": "declaration_pending",
        "declaration_pending/approve": "production_approved",
        "production_suspended/approve": "production_approved",
        "declaration_pending/deny": "production_denied",
        "production_approved/suspend": "production_suspended",
        "sandbox_only/set_ceiling": "sandbox_only",
        "declaration_pending/set_ceiling": "declaration_pending",
        "production_approved/set_ceiling": "production_approved",
        "production_denied/set_ceiling": "production_denied",
        "production_suspended/set_ceiling": "production_suspended",
    ]

    @Test("every state × action pair", arguments: AccessState.allCases, AccessAction.allCases)
    func pair(state: AccessState, action: AccessAction) {
        let expected = Self.table["\(state.rawValue)/\(action.name)"]
        #expect(AccessMachine.next(from: state, on: action)?.rawValue == expected)
    }

    /// Drives a tenant into `state` through the ledger, then applies `action` and checks the verdict.
    @Test(
        "every state × action pair through the ledger's verdicts", arguments: AccessState.allCases,
        AccessAction.allCases)
    func verdicts(state: AccessState, action: AccessAction) throws {
        var ledger = Ledger(rules: .standard, tenants: [:], usage: [:], processed: [:])
        let path: [String: [String]] = [
            "sandbox_only": [], "declaration_pending": ["declare"], "production_approved": ["declare", "approve"],
            "production_denied": ["declare", "deny"], "production_suspended": ["declare", "approve", "suspend"],
        ]
        for (i, step) in (path[state.rawValue] ?? []).enumerated() {
            _ = ledger.apply(Self.event("setup-\(i)", step))
        }
        #expect(ledger.tenant("t").state == state)
        let outcome = ledger.apply(Self.event("probe", action.name))
        let verdict = try #require(Fixtures.values(outcome.outputs, topic: Topics.accessVerdict).first)
        let expected = Self.table["\(state.rawValue)/\(action.name)"]
        #expect(verdict["state"]?.stringValue == (expected ?? state.rawValue))
        #expect(verdict["previous_state"]?.stringValue == state.rawValue)
        if expected == nil {
            #expect(verdict["outcome"]?.stringValue == "rejected")
            #expect(verdict["status"] == .number(action == .declare ? "403" : "409"))
            #expect(verdict["code"] == (action == .declare ? .null : .string("INVALID_TRANSITION")))
            #expect(ledger.tenant("t").state == state)
        } else {
            #expect(verdict["status"] == .number(action == .declare ? "202" : "200"))
        }
    }

    static func event(_ id: String, _ action: String) -> InputEvent {
        if action == "declare" { return Fixtures.event(Fixtures.declaration(id, tenant: "t")) }
        let ceiling = action == "set_ceiling" ? #"{"per_tx":"5"}"# : nil
        return Fixtures.event(Fixtures.decision(id, tenant: "t", action: action, ceiling: ceiling))
    }
}
