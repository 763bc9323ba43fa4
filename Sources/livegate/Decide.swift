import ArgumentParser
import Foundation
import Kafka
import LiveGateCore
import LiveGatePipeline

/// An admin's decision, signed and published, and the verdict LiveGate gave it.
struct Decide: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Publish a signed admin decision and print LiveGate's verdict (exit 1 when it is rejected).",
        discussion: """
            The decision is signed with --key (made by `livegate keys generate`) as the contract's "Signed \
            decisions" says; the workers accept it when their key set (--decision-keys) holds its kid. Exit 0 \
            when accepted, 1 when rejected, 2 when no verdict came within --wait or Kafka cannot be reached.
            """)

    enum Action: String, ExpressibleByArgument, CaseIterable {
        case approve, deny, suspend
        case setCeiling = "set-ceiling"

        var wire: DecisionAction {
            switch self {
            case .approve: .approve
            case .deny: .deny
            case .suspend: .suspend
            case .setCeiling: .setCeiling
            }
        }
    }

    @Argument(help: "approve, deny, suspend or set-ceiling.")
    var action: Action

    @Argument(help: "The tenant's id.")
    var tenant: String

    @Option(help: "Review notes (required to deny or suspend).")
    var notes: String?

    @Option(name: .customLong("per-tx"), help: "Per-transaction limit in dollars, e.g. 250.00.")
    var perTx: String?

    @Option(help: "Daily limit in dollars.")
    var daily: String?

    @Option(help: "Monthly limit in dollars.")
    var monthly: String?

    @Flag(help: "Lift the ceiling entirely (spending is still metered).")
    var disabled = false

    @Option(
        name: .customLong("expires-at"), help: "When the override stops applying (RFC 3339), e.g. 2026-12-06T09:00:00Z."
    )
    var expiresAt: String?

    @Flag(
        name: .customLong("use-suggested-ceiling"), help: "approve only: adopt the ceiling the declaration suggested.")
    var useSuggestedCeiling = false

    @Option(name: .customLong("expected-version"), help: "Apply only if the tenant is still at this version.")
    var expectedVersion: Int64?

    /// Who decides. Default `$USER`, else admin.
    @Option(
        help: ArgumentHelp(
            "Who decides, for the history (env: LIVEGATE_ADMIN; default: $USER, else admin).",
            valueName: "id"))
    var admin: String?

    @OptionGroup var signer: SignerOptions

    func validate() throws {
        guard InputDecoder.usableId(.string(tenant)) != nil else {
            throw ValidationError("TENANT must be 1 to 128 characters.")
        }
        for (name, value) in [("--per-tx", perTx), ("--daily", daily), ("--monthly", monthly)] {
            if let value, Micros(parsing: value) == nil {
                throw ValidationError("\(name) must be a positive amount in dollars, e.g. 250.00.")
            }
        }
        if let expectedVersion, expectedVersion < 0 { throw ValidationError("--expected-version must be 0 or more.") }
        if let expiresAt, RFC3339.parse(expiresAt) == nil {
            throw ValidationError("--expires-at must be an RFC 3339 time.")
        }
        if useSuggestedCeiling, action != .approve || hasCeiling {
            throw ValidationError("--use-suggested-ceiling goes with approve, and without ceiling options.")
        }
    }

    func run() throws {
        try signer.publish(
            decision(eventId: signer.id(prefix: "decide")), tenant: tenant, to: Topics.decision,
            answers: Topics.accessVerdict)
    }

    var hasCeiling: Bool { perTx != nil || daily != nil || monthly != nil || disabled || expiresAt != nil }

    /// The unsigned decision event.
    func decision(eventId: String) -> JSONValue {
        var fields: [(key: String, value: JSONValue)] = [
            ("event_id", .string(eventId)), ("type", .string(EventType.decisionRecorded.rawValue)),
            ("tenant_id", .string(tenant)), ("occurred_at", .string(SignerOptions.now)),
            (
                "actor",
                .object([
                    ("kind", .string("platform_admin")),
                    ("id", .string(admin ?? Env.get("LIVEGATE_ADMIN") ?? Env.get("USER") ?? "admin")),
                ])
            ),
            ("action", .string(action.wire.rawValue)),
        ]
        if let notes { fields.append(("review_notes", .string(notes))) }
        if hasCeiling || action == .setCeiling {
            fields.append(
                (
                    "ceiling",
                    .object([
                        ("per_tx", JSONValue.string(perTx)), ("daily", JSONValue.string(daily)),
                        ("monthly", JSONValue.string(monthly)), ("disabled", .bool(disabled)),
                        ("expires_at", JSONValue.string(expiresAt)),
                    ])
                ))
        }
        if useSuggestedCeiling { fields.append(("use_suggested_ceiling", .bool(true))) }
        if let expectedVersion { fields.append(("expected_version", .number(String(expectedVersion)))) }
        return .object(fields)
    }
}
