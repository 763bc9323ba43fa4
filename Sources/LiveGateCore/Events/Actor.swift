/// Who caused an event, as the input states it. Validation decides what each event type accepts.
public struct Actor: Sendable, Equatable {
    public static let kinds: Set<String> = ["user", "api_key", "agent_token", "platform_admin"]
    /// Ids longer than this are treated as missing: they end up in stored rows and notifications.
    static let maxIdScalars = 128

    public let kind: String?
    public let id: String?
    public let role: String?

    public init(kind: String?, id: String?, role: String?) {
        (self.kind, self.id, self.role) = (kind, id, role)
    }

    /// `nil` when the input has no actor object at all.
    init?(_ json: JSONValue?) {
        guard let json, case .object = json else { return nil }
        self.init(
            kind: json["kind"]?.stringValue, id: json["id"]?.boundedString(Actor.maxIdScalars),
            role: json["role"]?.stringValue)
    }

    var isOwner: Bool { kind == "user" && role == "owner" }
    var isPlatformAdmin: Bool { kind == "platform_admin" }
    var isWellFormed: Bool { kind.map(Actor.kinds.contains) == true && !(id ?? "").isEmpty }
}
