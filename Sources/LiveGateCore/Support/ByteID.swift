/// An identifier (`event_id`, `tenant_id`) as a dictionary or set key, equal only when its UTF-8 bytes are,
/// as the contract says. Swift's `String` compares by Unicode canonical equivalence, so `"caf\u{e9}"` and
/// `"cafe\u{301}"` are equal there; as keys of one batch they would merge two tenants (one lock, one usage,
/// one state). Every collection of ids in the core and the store is keyed by this instead. PostgreSQL already
/// compares the id columns byte for byte (`COLLATE "C"`, a deterministic collation).
public struct ByteID: Hashable, Sendable, CustomStringConvertible {
    public let text: String

    public init(_ text: String) { self.text = text }

    public static func == (a: ByteID, b: ByteID) -> Bool {
        a.text.utf8.count == b.text.utf8.count && a.text.utf8.elementsEqual(b.text.utf8)
    }

    public func hash(into hasher: inout Hasher) {
        var text = text
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Byte order, the order PostgreSQL's `COLLATE "C"` sorts (and locks) ids in.
    public static func precedes(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    public var description: String { text }
}
