public enum Environment: String, Sendable { case test, live }

public enum Rail: String, Sendable, CaseIterable { case transfer, x402, acp, ap2, ucp, stream }

/// A `transaction.attempted` event. Fields that parsed are kept even when others failed, so a 400 verdict
/// can still echo them; `rejection` is set when the attempt must be denied before any state is consulted.
public struct Attempt: Sendable, Equatable {
    public static let currencies: Set<String> = ["USD", "USDC"]

    public let occurredAt: UTCInstant?
    public let environment: Environment?
    public let rail: Rail?
    public let amount: Micros?
    public let currency: String?
    public let agentId: String?
    public let rejection: Rejection?
}

extension Attempt {
    /// Field rules in the contract's order; the first failure names the verdict's `reason`. When every field
    /// is valid, the clock-skew rule compares `occurred_at` with the record timestamp.
    static func check(_ json: JSONValue, recordTimestamp: UTCInstant?, rules: Rules) -> Attempt {
        var errors: [FieldError] = []
        let (occurredAt, timeError) = FieldError.occurredAt(json)
        if let timeError { errors.append(timeError) }
        if Actor(json["actor"])?.isWellFormed != true {
            errors.append(FieldError("actor", "must be an object with a known kind and an id", reason: "invalid_actor"))
        }
        let environment = json["environment"]?.stringValue.flatMap(Environment.init(rawValue:))
        if environment == nil {
            errors.append(FieldError("environment", "must be test or live", reason: "invalid_environment"))
        }
        let rail = json["rail"]?.stringValue.flatMap(Rail.init(rawValue:))
        if rail == nil {
            errors.append(
                FieldError(
                    "rail", "must be one of transfer, x402, acp, ap2, ucp, stream",
                    reason: "invalid_rail"))
        }
        let amount = json["amount"]?.stringValue.flatMap(Micros.init(parsing:))
        if amount == nil {
            errors.append(
                FieldError(
                    "amount",
                    "must be a decimal string greater than 0 and at most 1000000000, "
                        + "with at most 6 fraction digits", reason: "invalid_amount"))
        }
        let currency = json["currency"]?.stringValue.flatMap { Attempt.currencies.contains($0) ? $0 : nil }
        if currency == nil {
            errors.append(FieldError("currency", "must be USD or USDC", reason: "unsupported_currency"))
        }
        let agent = json["agent_id"]
        if let agent, !agent.isNull, agent.stringValue == nil {
            errors.append(FieldError("agent_id", "must be a string", reason: "invalid_agent_id"))
        }
        if errors.isEmpty, let occurredAt, let skew = FieldError.skew(occurredAt, recordTimestamp, rules) {
            errors.append(skew)
        }
        return Attempt(
            occurredAt: occurredAt, environment: environment, rail: rail, amount: amount,
            currency: currency, agentId: agent?.stringValue,
            rejection: errors.isEmpty ? nil : .invalid(errors))
    }
}
