import LiveGateCore

/// Whether an input posted to `serve` can be addressed: published, and its verdict found again. Only what
/// addressing needs is checked here (a JSON object, the route's `type`, a usable `event_id` and `tenant_id`);
/// everything else (amount, actor, times) is the pipeline's to decide, in a verdict like any other.
public enum Intake {
    public struct Addressed: Sendable, Equatable {
        public let eventId: String
        public let tenantId: String
        /// SHA-256 of the canonical input, as the workers compute it: their verdict carries it
        /// (`Topics.inputSHA256Header`), so the verdict of another input with this `event_id` is told apart.
        public let fingerprint: String
    }

    public struct Refusal: Error, Sendable, Equatable {
        /// `body_too_large`, `not_json`, `not_an_object`, `wrong_type`, `invalid_event_id`, `invalid_tenant_id`.
        public let code: String
        public let message: String
    }

    /// The topic's own limit (`max.message.bytes`, 1 MiB) less 2 KiB for the key (a tenant id: at most 512
    /// bytes) and the record's framing: a body this large is still published, a larger one could not be.
    public static let maxBodyBytes = (1 << 20) - 2048

    public static func address(_ body: [UInt8], as type: EventType) -> Result<Addressed, Refusal> {
        guard body.count <= maxBodyBytes else {
            return .failure(Refusal(code: "body_too_large", message: "the body is larger than \(maxBodyBytes) bytes"))
        }
        let json: JSONValue
        do {
            json = try JSONParser.parse(body)
        } catch {
            return .failure(Refusal(code: "not_json", message: InputDecoder.describe(error)))
        }
        guard case .object = json else {
            return .failure(Refusal(code: "not_an_object", message: "the body must be a JSON object"))
        }
        guard json["type"]?.stringValue == type.rawValue else {
            return .failure(Refusal(code: "wrong_type", message: "type must be \"\(type.rawValue)\" here"))
        }
        guard let eventId = InputDecoder.usableId(json["event_id"]) else {
            return .failure(
                Refusal(
                    code: "invalid_event_id",
                    message: "event_id must be a string of 1 to 128 characters without control characters"))
        }
        guard let tenantId = InputDecoder.usableId(json["tenant_id"]) else {
            return .failure(
                Refusal(
                    code: "invalid_tenant_id",
                    message: "tenant_id must be a string of 1 to 128 characters without control characters"))
        }
        return .success(
            Addressed(
                eventId: eventId, tenantId: tenantId,
                fingerprint: InputDecoder.fingerprint(of: json)))
    }
}
