import Crypto

/// The public keys whose signatures make a `decision.recorded` an admin's decision (contract, "Signed
/// decisions"). Several may be valid at once, so keys rotate without a gap.
/// File form: `{"keys": [{"kid": "...", "alg": "ed25519", "public_key": "<base64url of 32 bytes>"}]}`.
public struct DecisionKeySet: Sendable {
    public static let algorithm = "ed25519"
    static let maxKeys = 64

    public let keys: [String: Curve25519.Signing.PublicKey]

    public enum LoadError: Error, Equatable, CustomStringConvertible {
        case invalid(String)
        public var description: String { if case let .invalid(why) = self { return why }; return "" }
    }

    public init(keys: [String: Curve25519.Signing.PublicKey]) { self.keys = keys }

    /// Parses a key-set file; every entry must be well formed, with a distinct `kid`.
    public static func parse(_ bytes: [UInt8]) throws(LoadError) -> DecisionKeySet {
        guard let json = try? JSONParser.parse(bytes), case let .array(entries)? = json["keys"] else {
            throw .invalid(#"a key set is a JSON object {"keys": [...]}"#)
        }
        guard (1...maxKeys).contains(entries.count) else { throw .invalid("a key set holds 1 to \(maxKeys) keys") }
        var keys: [String: Curve25519.Signing.PublicKey] = [:]
        for (i, entry) in entries.enumerated() {
            guard let kid = InputDecoder.usableId(entry["kid"]) else {
                throw .invalid("key \(i + 1): kid must be a string of 1 to 128 characters")
            }
            guard entry["alg"]?.stringValue == algorithm else { throw .invalid("key \(kid): alg must be \"ed25519\"") }
            guard let raw = entry["public_key"]?.stringValue.flatMap(Base64.urlDecode), raw.count == 32,
                let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
            else { throw .invalid("key \(kid): public_key must be the base64url (no padding) of 32 bytes") }
            guard keys.updateValue(key, forKey: kid) == nil else { throw .invalid("kid \(kid) appears twice") }
        }
        return DecisionKeySet(keys: keys)
    }

    /// Whether a public key of this set is also in `other` (whatever its `kid`).
    public func sharesKey(with other: DecisionKeySet) -> Bool {
        !Set(keys.values.map(\.rawRepresentation)).isDisjoint(with: other.keys.values.map(\.rawRepresentation))
    }

    /// The `kid` that signed `event`, or the reason it is refused (403 `FORBIDDEN`): `signature_required`,
    /// `unknown_signing_key` or `bad_signature`.
    public func verify(_ event: JSONValue) -> Checked<String> {
        guard let signature = event["signature"], !signature.isNull else {
            return .rejected(.forbidden("signature_required"))
        }
        guard let kid = signature["kid"]?.stringValue, let key = keys[kid] else {
            return .rejected(.forbidden("unknown_signing_key"))
        }
        guard signature["alg"]?.stringValue == Self.algorithm,
            let sig = signature["sig"]?.stringValue.flatMap(Base64.urlDecode), sig.count == 64,
            let signed = try? DecisionSignature.signedBytes(event),
            key.isValidSignature(sig, for: signed)
        else { return .rejected(.forbidden("bad_signature")) }
        return .valid(kid)
    }
}

/// What an admin's tool does: sign a decision with a private key.
public enum DecisionSignature {
    /// The bytes a signature covers: the JCS form of the event without its `signature` member.
    public static func signedBytes(_ event: JSONValue) throws(JCSError) -> [UInt8] {
        guard case let .object(members) = event else { return try event.jcsBytes() }
        return try JSONValue.object(members.filter { $0.key != "signature" }).jcsBytes()
    }

    /// `event` with a `signature` member by `key` under `kid` (any earlier signature replaced).
    public static func sign(_ event: JSONValue, key: Curve25519.Signing.PrivateKey, kid: String) throws -> JSONValue {
        guard case let .object(members) = event else { return event }
        let sig = try key.signature(for: signedBytes(event))
        let signature = JSONValue.object([
            ("kid", .string(kid)), ("alg", .string(DecisionKeySet.algorithm)),
            ("sig", .string(Base64.urlEncode(Array(sig)))),
        ])
        return .object(members.filter { $0.key != "signature" } + [("signature", signature)])
    }
}

/// An admin's private signing key with its `kid`. File form (keep it mode 0600):
/// `{"kid": "...", "alg": "ed25519", "private_key": "<base64url of the 32-byte seed>"}`.
public struct DecisionSigningKey: Sendable {
    public let kid: String
    public let key: Curve25519.Signing.PrivateKey

    /// A new random key.
    public init(kid: String) {
        self.kid = kid
        key = Curve25519.Signing.PrivateKey()
    }

    public static func parse(_ bytes: [UInt8]) throws(DecisionKeySet.LoadError) -> DecisionSigningKey {
        guard let json = try? JSONParser.parse(bytes), let kid = InputDecoder.usableId(json["kid"]),
            json["alg"]?.stringValue == DecisionKeySet.algorithm,
            let raw = json["private_key"]?.stringValue.flatMap(Base64.urlDecode), raw.count == 32,
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        else {
            throw .invalid(#"a signing key is {"kid", "alg": "ed25519", "private_key": "<base64url of 32 bytes>"}"#)
        }
        return DecisionSigningKey(kid: kid, key: key)
    }

    private init(kid: String, key: Curve25519.Signing.PrivateKey) {
        self.kid = kid
        self.key = key
    }

    /// The private key file's content.
    public var fileJSON: JSONValue {
        .object([
            ("kid", .string(kid)), ("alg", .string(DecisionKeySet.algorithm)),
            ("private_key", .string(Base64.urlEncode(Array(key.rawRepresentation)))),
        ])
    }

    /// This key's entry in a key set.
    public var publicEntry: JSONValue {
        .object([
            ("kid", .string(kid)), ("alg", .string(DecisionKeySet.algorithm)),
            ("public_key", .string(Base64.urlEncode(Array(key.publicKey.rawRepresentation)))),
        ])
    }

    /// A key set file's content holding these keys' public halves.
    public static func keySetJSON(_ keys: [DecisionSigningKey]) -> JSONValue {
        .object([("keys", .array(keys.map(\.publicEntry)))])
    }

    public func sign(_ event: JSONValue) throws -> JSONValue { try DecisionSignature.sign(event, key: key, kid: kid) }
}
