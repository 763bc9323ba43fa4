/// The idempotency key of an input (contract v1.2, "Idempotency is per tenant"): its tenant and its event id,
/// both compared as bytes. The same `event_id` under two tenants is two events, so one tenant cannot claim
/// another's ids first; a resolution's `attempt_id` names an attempt of its own tenant.
public struct EventKey: Hashable, Sendable, CustomStringConvertible {
    public let tenantId: ByteID
    public let eventId: ByteID

    public init(tenantId: String, eventId: String) {
        self.tenantId = ByteID(tenantId)
        self.eventId = ByteID(eventId)
    }

    public var description: String { "\(tenantId.text)/\(eventId.text)" }
}

extension InputEvent {
    public var key: EventKey { EventKey(tenantId: tenantId, eventId: eventId) }
}

extension StoredEvent {
    public var key: EventKey { EventKey(tenantId: tenantId, eventId: eventId) }
}
