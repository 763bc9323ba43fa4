/// What of an input must not reach the dead-letter topic, which keeps records for 30 days and which more
/// readers may see than the input topics (contract v1.2, "Nothing fails open"): a declaration's owner's
/// identity (`identity.email`, `identity.name`).
enum PersonalData {
    static let placeholder = "<redacted>"
    static let identityFields: Set<String> = ["email", "name"]

    /// The value to embed in a dead letter of `input`, and whether it differs from the original. A JSON
    /// object with an `identity` that names an email or a name (a declaration, wherever it was published)
    /// is kept with those replaced by `"<redacted>"`; a record of the declaration topic that cannot be read
    /// as such an object is not kept at all, since its personal data cannot be told apart. Everything else
    /// is kept as it came. `value_bytes` and `value_sha256` still describe the original.
    static func redacting(_ input: InputRecord) -> (value: [UInt8]?, redacted: Bool) {
        guard let value = input.value else { return (nil, false) }
        let parsed = try? JSONParser.parse(value)
        guard case let .object(members)? = parsed else {
            return input.topic == Topics.declarationSubmitted ? (nil, true) : (value, false)
        }
        guard let index = members.firstIndex(where: { $0.key == "identity" }),
              case let .object(identity) = members[index].value,
              identity.contains(where: { identityFields.contains($0.key) })
        else { return (value, false) }
        var cleaned = members
        cleaned[index].value = .object(identity.map { member in
            identityFields.contains(member.key) ? (member.key, .string(placeholder)) : member
        })
        return (JSONWriter.bytes(.object(cleaned)), true)
    }
}
