/// Turns an input record into an addressable `InputEvent` or a dead-letter reason. Never throws and never
/// traps: every byte sequence has an answer.
public enum InputDecoder {
    public enum Result: Sendable {
        case event(InputEvent)
        case deadLetter(DeadLetterReason)
    }

    /// Longest event or tenant id, in Unicode scalars (JSON Schema's maxLength counts the same).
    public static let maxIdScalars = 128

    /// Checked in the order of the contract: size, JSON, object, event id, tenant id, type, topic, key, and
    /// (v1.2) who stamped the record.
    public static func decode(_ record: InputRecord, rules: Rules = .standard) -> Result {
        guard let value = record.value else {
            return .deadLetter(DeadLetterReason(.invalidJSON, "record has no value"))
        }
        guard value.count <= rules.maxValueBytes else {
            return .deadLetter(
                DeadLetterReason(
                    .recordTooLarge,
                    "value is \(value.count) bytes; "
                        + "the limit is \(rules.maxValueBytes)"))
        }
        let json: JSONValue
        do {
            json = try JSONParser.parse(value, depthLimit: rules.maxDepth)
        } catch {
            return .deadLetter(DeadLetterReason(.invalidJSON, describe(error)))
        }
        guard case .object = json else {
            return .deadLetter(DeadLetterReason(.notAnObject, "value is not a JSON object"))
        }
        guard let eventId = usableId(json["event_id"]) else {
            return .deadLetter(
                DeadLetterReason(
                    .invalidEventId,
                    "event_id must be a string of 1 to 128 characters "
                        + "without control characters"))
        }
        guard let tenantId = usableId(json["tenant_id"]) else {
            return .deadLetter(
                DeadLetterReason(
                    .invalidTenantId,
                    "tenant_id must be a string of 1 to 128 characters "
                        + "without control characters", eventId: eventId))
        }
        guard let type = json["type"]?.stringValue.flatMap(EventType.init(rawValue:)) else {
            return .deadLetter(
                DeadLetterReason(
                    .invalidType,
                    "type must be one of "
                        + EventType.allCases.map(\.rawValue).joined(separator: ", "), eventId: eventId,
                    tenantId: tenantId))
        }
        guard type.topic == record.topic else {
            return .deadLetter(
                DeadLetterReason(
                    .typeNotOnTopic, "\(type.rawValue) belongs on \(type.topic)",
                    eventId: eventId, tenantId: tenantId))
        }
        if let key = record.key, !key.elementsEqual(tenantId.utf8) {
            return .deadLetter(
                DeadLetterReason(
                    .keyMismatch, "record key differs from tenant_id",
                    eventId: eventId, tenantId: tenantId))
        }
        // Last, so the dead letter names the input (serve hands it to the caller that posted it).
        if record.timestampSource != .broker, !rules.allowProducerTime {
            return .deadLetter(
                DeadLetterReason(
                    .producerTimestamp,
                    "the record timestamp was set by its producer, "
                        + "not the broker: the topic needs message.timestamp.type=LogAppendTime", eventId: eventId,
                    tenantId: tenantId))
        }
        return .event(
            InputEvent(
                eventId: eventId, tenantId: tenantId, type: type,
                recordTimestamp: record.timestamp ?? UTCInstant(millis: 0),
                fingerprint: fingerprint(of: json), body: body(of: type, json, record.timestamp, rules)))
    }

    /// What identifies an input's content for idempotency: the SHA-256 of its canonical JSON (key order,
    /// spacing and number spelling do not count). Stored with each processed event, carried on its verdict
    /// (`Topics.inputSHA256Header`), and computed by `serve` for the bodies it publishes: one function, so
    /// the two sides cannot drift apart.
    public static func fingerprint(of json: JSONValue) -> String { SHA256Hex.of(Array(json.canonicalText.utf8)) }

    private static func body(
        of type: EventType, _ json: JSONValue, _ timestamp: UTCInstant?,
        _ rules: Rules
    ) -> InputEvent.Body {
        switch type {
        case .declarationSubmitted: return .declaration(Declaration.check(json))
        case .decisionRecorded: return .decision(Decision.check(json, recordTimestamp: timestamp, rules: rules))
        case .transactionAttempted: return .attempt(Attempt.check(json, recordTimestamp: timestamp, rules: rules))
        case .transactionResolved: return .resolution(Resolution.check(json, recordTimestamp: timestamp, rules: rules))
        }
    }

    public static func usableId(_ value: JSONValue?) -> String? {
        guard let id = value?.stringValue, (1...maxIdScalars).contains(id.scalarCount),
            !id.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else { return nil }
        return id
    }

    public static func describe(_ error: JSONParseError) -> String {
        switch error {
        case .invalidUTF8: return "value is not valid UTF-8"
        case .unexpectedEnd: return "value is not JSON: it ends early"
        case let .unexpectedByte(offset): return "value is not JSON: unexpected byte at offset \(offset)"
        case let .invalidNumber(offset): return "value is not JSON: malformed number at offset \(offset)"
        case let .invalidEscape(offset): return "value is not JSON: malformed escape at offset \(offset)"
        case .duplicateKey: return "value repeats an object member name"
        case let .tooDeep(limit): return "value nests deeper than \(limit) levels"
        case let .trailingData(offset): return "value is not JSON: extra data at offset \(offset)"
        }
    }
}
