import ArgumentParser
import Foundation
import Kafka
import LiveGateCore
import LiveGatePipeline
import LiveGateStore

/// What `decide` and `resolve` share: who signs (a private key and its kid), the event's id, the brokers, and
/// how long to wait. `publish` signs an event, publishes it keyed by its tenant, waits for LiveGate's answer,
/// prints it, and ends as a script expects: exit 0 when accepted, 1 when rejected or dead-lettered, 2 when no
/// answer came in time.
struct SignerOptions: ParsableArguments {
    /// The signer's private key file, made by `livegate keys generate`. Required, here or in the environment.
    @Option(
        name: .customLong("key"),
        help: ArgumentHelp(
            "The private signing key file, made by `livegate keys generate` (env: LIVEGATE_SIGNING_KEY; required).",
            valueName: "file"))
    var keyOption: String?

    /// The key's id, which must be the one in the key file. Required, here or in the environment.
    @Option(
        name: .customLong("kid"),
        help: ArgumentHelp(
            "The key's id; it must be the one in the key file (env: LIVEGATE_SIGNING_KID; required).", valueName: "kid")
    )
    var kidOption: String?

    /// The event's `event_id`, its idempotency key. Default: a new one.
    @Option(
        name: .customLong("event-id"),
        help: ArgumentHelp(
            "The event's id, its idempotency key, e.g. the one in settlement's own records (default: a new id). Each "
                + "call signs a new event (its occurred_at is now), so an id used before is refused as "
                + "idempotency_conflict and the first verdict stands.", valueName: "id"))
    var eventId: String?

    /// Seconds to wait for the verdict. Default 30, more than 0 and at most 600.
    @Option(
        name: .customLong("wait"),
        help: ArgumentHelp(
            "Seconds to wait for the verdict, more than 0 and at most 600 (env: LIVEGATE_VERDICT_WAIT_SECONDS; "
                + "default 30).",
            valueName: "seconds"))
    var waitOption: Double?

    @OptionGroup var broker: BrokerOptions

    func validate() throws {
        if let eventId, InputDecoder.usableId(.string(eventId)) == nil {
            throw ValidationError("--event-id must be 1 to 128 characters without control characters.")
        }
        if let waitOption, !(waitOption > 0 && waitOption <= 600) {
            throw ValidationError("--wait must be more than 0 and at most 600 seconds.")
        }
    }

    /// The key file in force; a variable set but empty is refused (it guards who signs).
    func key() throws -> String {
        guard let key = try keyOption ?? Env.secret("LIVEGATE_SIGNING_KEY") else {
            throw CommandFailure.usage("Give --key or set LIVEGATE_SIGNING_KEY: the private key that signs.")
        }
        return key
    }

    /// The key id in force.
    func kid() throws -> String {
        guard let kid = try kidOption ?? Env.secret("LIVEGATE_SIGNING_KID") else {
            throw CommandFailure.usage("Give --kid or set LIVEGATE_SIGNING_KID: the id of the key that signs.")
        }
        return kid
    }

    /// Seconds to wait for the verdict.
    func wait() throws -> Double {
        if let waitOption { return waitOption }
        return try Env.seconds("LIVEGATE_VERDICT_WAIT_SECONDS", in: 0.001...600) ?? 30
    }

    /// This instant as an event's `occurred_at`: the workers compare it with the broker's clock (5 minutes).
    static var now: String { WallClock.now().description }

    /// `--event-id`, or a new id starting with `prefix`.
    func id(prefix: String) -> String { eventId ?? "\(prefix)-\(UUID().uuidString.lowercased())" }

    /// Signs `event` (whose `event_id` is `id(prefix:)`'s), publishes it to `topic` keyed by `tenant`, and
    /// prints the verdict (or dead letter) from `answers` that answers it: exit 1 unless its outcome is
    /// `accepted`.
    func publish(_ event: JSONValue, tenant: String, to topic: String, answers: String) throws {
        let kid = try kid()
        let signed = try KeyFile.signingKey(try key(), kid: kid).sign(event)
        guard let eventId = signed["event_id"]?.stringValue else { preconditionFailure("an event without event_id") }
        try broker.reaching { servers, settings in
            try publish(
                signed, eventId: eventId, tenant: tenant, to: topic, answers: answers, kid: kid,
                servers: servers, settings: settings)
        }
    }

    private func publish(
        _ signed: JSONValue, eventId: String, tenant: String, to topic: String, answers: String,
        kid: String, servers: String, settings: KafkaSettings
    ) throws {
        let wait = try wait()
        // From the end as of now, before publishing: the answer cannot come before the watcher is in place.
        let watcher = try OutputWatcher(
            brokers: servers, topics: [answers, Topics.deadLetter], settings: settings, from: .end)
        try KafkaProducer(brokers: servers, settings: settings)
            .send([ProducerRecord(topic: topic, key: Array(tenant.utf8), value: JSONWriter.bytes(signed))])
        print("published \(eventId) for \(tenant), signed with \(kid)")
        // Ids are per tenant (contract v1.2): another tenant's event may carry the same id.
        func answer() -> [UInt8]? {
            watcher.answers[ByteID(eventId)]?.first { answer in
                // As bytes: an NFC and an NFD spelling of a tenant are two tenants.
                (try? JSONParser.parse(answer))?["tenant_id"]?.stringValue.map { ByteID($0) == ByteID(tenant) } == true
            }
        }
        guard try watcher.read(timeoutSeconds: wait, until: { _ in answer() != nil }), let answer = answer() else {
            throw CommandFailure.runtime(
                "No verdict for \(eventId) within \(Int(wait)) s: is a worker running "
                    + "against \(servers)? The event is published and will be decided once one is; "
                    + "look for event_id \(eventId) on \(answers) before publishing another.")
        }
        print(String(decoding: answer, as: UTF8.self))
        if (try? JSONParser.parse(answer))?["outcome"]?.stringValue != "accepted" { throw ExitCode.difference }
    }
}
