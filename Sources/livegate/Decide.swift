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
            decisions" says; the workers accept it when their key set (--decision-keys) holds its kid.
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

    @Option(name: .customLong("expires-at"), help: "When the override stops applying (RFC 3339), e.g. 2026-12-06T09:00:00Z.")
    var expiresAt: String?

    @Flag(name: .customLong("use-suggested-ceiling"), help: "approve only: adopt the ceiling the declaration suggested.")
    var useSuggestedCeiling = false

    @Option(name: .customLong("expected-version"), help: "Apply only if the tenant is still at this version.")
    var expectedVersion: Int64?

    @Option(help: "The private signing key file.")
    var key: String

    @Option(help: "The key's id; must match the one in the key file.")
    var kid: String

    @Option(help: "Who decides, for the history (default: $USER).")
    var admin: String?

    @Option(help: "Seconds to wait for the verdict (default 30).")
    var wait: Double = 30

    @OptionGroup var broker: BrokerOptions

    func validate() throws {
        guard InputDecoder.usableId(.string(tenant)) != nil else { throw ValidationError("TENANT must be 1 to 128 characters.") }
        for (name, value) in [("--per-tx", perTx), ("--daily", daily), ("--monthly", monthly)] {
            if let value, Micros(parsing: value) == nil {
                throw ValidationError("\(name) must be a positive amount in dollars, e.g. 250.00.")
            }
        }
        if let expectedVersion, expectedVersion < 0 { throw ValidationError("--expected-version must be 0 or more.") }
        if let expiresAt, RFC3339.parse(expiresAt) == nil { throw ValidationError("--expires-at must be an RFC 3339 time.") }
        if useSuggestedCeiling, action != .approve || hasCeiling {
            throw ValidationError("--use-suggested-ceiling goes with approve, and without ceiling options.")
        }
        guard wait > 0, wait <= 600 else { throw ValidationError("--wait must be more than 0 and at most 600 seconds.") }
    }

    func run() throws {
        guard let bytes = FileManager.default.contents(atPath: key) else { throw ValidationError("Cannot read \(key).") }
        let signingKey: DecisionSigningKey
        do { signingKey = try DecisionSigningKey.parse(Array(bytes)) } catch {
            throw ValidationError("\(key) is not a signing key: \(error)")
        }
        guard signingKey.kid == kid else { throw ValidationError("\(key) holds kid \(signingKey.kid), not \(kid).") }
        let event = try signingKey.sign(decision(eventId: "decide-\(UUID().uuidString.lowercased())"))
        let eventId = event["event_id"]!.stringValue!
        let servers = try broker.servers()
        let settings = try broker.settings()
        let watcher = try OutputWatcher(brokers: servers, topics: [Topics.accessVerdict, Topics.deadLetter],
                                        settings: settings, from: .end)
        let producer = try KafkaProducer(brokers: servers, settings: settings)
        try producer.send([ProducerRecord(topic: Topics.decision, key: Array(tenant.utf8), value: JSONWriter.bytes(event))])
        print("published \(eventId), signed with \(kid)")
        guard try watcher.awaitAnswers([eventId], timeoutSeconds: wait), let answer = watcher.answers[ByteID(eventId)]?.first else {
            throw ValidationError("No verdict within \(Int(wait)) s: is a worker running?")
        }
        print(String(decoding: answer, as: UTF8.self))
        let verdict = try? JSONParser.parse(answer)
        if verdict?["outcome"]?.stringValue != "accepted" { throw ExitCode(1) }
    }

    var hasCeiling: Bool { perTx != nil || daily != nil || monthly != nil || disabled || expiresAt != nil }

    /// The unsigned decision event.
    func decision(eventId: String) -> JSONValue {
        let now = UTCInstant(millis: Int64(Date().timeIntervalSince1970 * 1000)).description
        var fields: [(key: String, value: JSONValue)] = [
            ("event_id", .string(eventId)), ("type", .string(EventType.decisionRecorded.rawValue)),
            ("tenant_id", .string(tenant)), ("occurred_at", .string(now)),
            ("actor", .object([("kind", .string("platform_admin")), ("id", .string(admin ?? Env.get("USER") ?? "admin"))])),
            ("action", .string(action.wire.rawValue)),
        ]
        if let notes { fields.append(("review_notes", .string(notes))) }
        if hasCeiling || action == .setCeiling {
            fields.append(("ceiling", .object([("per_tx", JSONValue.string(perTx)), ("daily", JSONValue.string(daily)),
                                               ("monthly", JSONValue.string(monthly)), ("disabled", .bool(disabled)),
                                               ("expires_at", JSONValue.string(expiresAt))])))
        }
        if useSuggestedCeiling { fields.append(("use_suggested_ceiling", .bool(true))) }
        if let expectedVersion { fields.append(("expected_version", .number(String(expectedVersion)))) }
        return .object(fields)
    }
}
