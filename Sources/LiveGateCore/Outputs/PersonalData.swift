/// What of an input must not reach the dead-letter topic, which keeps records for 30 days and which more
/// readers may see than the input topics (contract v1.2, "Nothing fails open"): a declaration's owner's
/// identity (`identity.email`, `identity.name`).
enum PersonalData {
    static let placeholder = "<redacted>"
    static let identityFields: Set<String> = ["email", "name"]
    static let identityMember = Array(#""identity""#.utf8)

    /// The value to embed in a dead letter of `input`, and whether it differs from the original. A JSON
    /// object whose `identity` is an object (a declaration, wherever it was published) is kept with its
    /// email and name replaced by `"<redacted>"`. A value that may hold an identity but cannot be redacted is
    /// not kept at all: anything on the declaration topic that is not such an object, an `identity` of
    /// another shape, and a value that does not parse but names an `identity`. Everything else is kept as it
    /// came. `value_bytes` and `value_sha256` still describe the original.
    static func redacting(_ input: InputRecord) -> (value: [UInt8]?, redacted: Bool) {
        guard let value = input.value else { return (nil, false) }
        guard case let .object(members)? = try? JSONParser.parse(value) else {
            let unreadable = input.topic == Topics.declarationSubmitted || contains(value, identityMember)
            return unreadable ? (nil, true) : (value, false)
        }
        guard let index = members.firstIndex(where: { $0.key == "identity" }) else {
            return input.topic == Topics.declarationSubmitted && contains(value, identityMember)
                ? (nil, true) : (value, false)
        }
        guard case let .object(identity) = members[index].value else { return (nil, true) }
        guard identity.contains(where: { identityFields.contains($0.key) }) else { return (value, false) }
        var cleaned = members
        cleaned[index].value = .object(
            identity.map { member in
                identityFields.contains(member.key) ? (member.key, .string(placeholder)) : member
            })
        return (JSONWriter.bytes(.object(cleaned)), true)
    }

    private static func contains(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool {
        bytes.firstRange(of: needle) != nil
    }
}
