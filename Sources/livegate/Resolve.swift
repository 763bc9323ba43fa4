import ArgumentParser
import LiveGateCore

/// A resolution settlement signs, for ops who must release by hand, and the verdict LiveGate gave it.
struct Resolve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Publish a signed resolution of an attempt and print LiveGate's verdict (exit 1 when it is rejected).",
        discussion: """
            For ops who must say by hand how an allowed attempt ended, as settlement would: `failed` (the money \
            never moved: what the attempt booked is released) or `settled` (the money moved: nothing changes). \
            It is signed with --key, a settlement key made by `livegate keys generate`; the workers accept a \
            failed resolution when their key set (--resolution-keys) holds its kid and it comes within the \
            release window (--release-window-days, 7 days after the attempt's occurred_at by default). \
            Published on sly.transaction-attempt.v1 keyed by the tenant, so it is read after its attempt. \
            Exit 0 when accepted, 1 when rejected, 2 when no verdict came within --wait or Kafka cannot be reached.
            """)

    /// The tenant whose attempt it is (the record key). Required.
    @Argument(help: "The tenant's id.")
    var tenant: String

    /// The attempt's `event_id`, of this tenant. Required.
    @Argument(help: ArgumentHelp("The attempt's event_id.", valueName: "attempt-id"))
    var attemptId: String

    /// How the payment ended. Required.
    @Argument(help: "failed (the money never moved: release what it booked) or settled (the money moved).")
    var resolution: ResolutionKind

    /// Who resolves, the actor's id. Default: `$USER`, else `ops`.
    @Option(
        name: .customLong("operator"),
        help: ArgumentHelp(
            "Who resolves, as the event's actor id (env: LIVEGATE_OPERATOR; default: $USER, else ops).", valueName: "id"
        ))
    var operatorName: String?

    @OptionGroup var signer: SignerOptions

    func validate() throws {
        guard InputDecoder.usableId(.string(tenant)) != nil else {
            throw ValidationError("TENANT must be 1 to 128 characters.")
        }
        guard InputDecoder.usableId(.string(attemptId)) != nil else {
            throw ValidationError("ATTEMPT_ID must be 1 to 128 characters without control characters.")
        }
        if let operatorName, InputDecoder.usableId(.string(operatorName)) == nil {
            throw ValidationError("--operator must be 1 to 128 characters without control characters.")
        }
    }

    func run() throws {
        try signer.publish(
            event(eventId: signer.id(prefix: "resolve")), tenant: tenant, to: Topics.transactionAttempt,
            answers: Topics.transactionVerdict)
    }

    /// The unsigned `transaction.resolved` event. The actor is a platform admin: a person on the platform's
    /// side acting for settlement (the signature, not the actor, is what the workers check).
    func event(eventId: String) -> JSONValue {
        .object([
            ("event_id", .string(eventId)), ("type", .string(EventType.transactionResolved.rawValue)),
            ("tenant_id", .string(tenant)), ("occurred_at", .string(SignerOptions.now)),
            (
                "actor",
                .object([
                    ("kind", .string("platform_admin")),
                    ("id", .string(operatorName ?? Env.get("LIVEGATE_OPERATOR") ?? Env.get("USER") ?? "ops")),
                ])
            ),
            ("attempt_id", .string(attemptId)), ("resolution", .string(resolution.rawValue)),
        ])
    }
}

extension ResolutionKind: ExpressibleByArgument {}
