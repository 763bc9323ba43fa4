/// A valid `declaration.submitted` body: the owner asks for production access.
public struct Declaration: Sendable, Equatable {
    public let occurredAt: UTCInstant
    public let ownerUserId: String?
    public let ownerEmail: String?
    public let ownerName: String?
    public let intendedUseCase: String
    /// `expected_monthly_volume_usd` rounded up to whole dollars (capped at $10^12), when given.
    public var expectedVolumeDollars: Int64? = nil
    /// What the review queue shows of it (contract v1.2).
    public var details: DeclarationDetails? = nil
}

/// What a declaration asked, kept with its history row for the review queue: the reviewer reads the use
/// case, the volume and the website as the owner wrote them. No personal data (the owner's identity is on
/// the tenant).
public struct DeclarationDetails: Sendable, Equatable {
    public let intendedUseCase: String
    /// The JSON number as written (at most `maxVolumeLiteral` characters; longer ones keep the whole dollars).
    public let expectedMonthlyVolumeUSD: String?
    public let websiteURL: String?

    public init(intendedUseCase: String, expectedMonthlyVolumeUSD: String?, websiteURL: String?) {
        self.intendedUseCase = intendedUseCase
        self.expectedMonthlyVolumeUSD = expectedMonthlyVolumeUSD
        self.websiteURL = websiteURL
    }

    static let maxVolumeLiteral = 64
}

extension Declaration {
    static let useCaseScalars = 20...1000

    /// The contract's checks, in its order: the actor (403), then every body rule (one 400 listing all).
    static func check(_ json: JSONValue) -> Checked<Declaration> {
        let actor = Actor(json["actor"])
        guard let actor, actor.isOwner else { return .rejected(.forbidden("actor_not_owner")) }
        var errors: [FieldError] = []
        let (occurredAt, timeError) = FieldError.occurredAt(json)
        if let timeError { errors.append(timeError) }
        if actor.id == nil || actor.id!.isEmpty { errors.append(.actorId) }
        let declaration = json["declaration"]
        var useCase = ""
        if let declaration, case .object = declaration {
            errors += bodyErrors(declaration)
            useCase = declaration["intended_use_case"]?.stringValue ?? ""
        } else {
            errors.append(FieldError("declaration", "must be an object"))
        }
        guard errors.isEmpty, let occurredAt else { return .rejected(.invalid(errors, reason: "invalid_request")) }
        let identity = json["identity"]
        let volumeDollars = json["declaration"]?["expected_monthly_volume_usd"].flatMap(wholeDollarsRoundedUp)
        var volumeLiteral: String? = nil
        if case let .number(literal)? = json["declaration"]?["expected_monthly_volume_usd"] {
            volumeLiteral =
                literal.utf8.count <= DeclarationDetails.maxVolumeLiteral ? literal : volumeDollars.map(String.init)
        }
        let details = DeclarationDetails(
            intendedUseCase: useCase, expectedMonthlyVolumeUSD: volumeLiteral,
            websiteURL: json["declaration"]?["website_url"]?.stringValue)
        // Identity is informational and optional; oversized values are dropped rather than carried into
        // every later notification (an email address is at most 254 characters).
        return .valid(
            Declaration(
                occurredAt: occurredAt, ownerUserId: actor.id, ownerEmail: identity?["email"]?.boundedString(254),
                ownerName: identity?["name"]?.boundedString(200), intendedUseCase: useCase,
                expectedVolumeDollars: volumeDollars, details: details))
    }

    private static func bodyErrors(_ d: JSONValue) -> [FieldError] {
        var errors: [FieldError] = []
        let useCase = d["intended_use_case"]?.stringValue
        if useCase.map({ useCaseScalars.contains($0.scalarCount) }) != true {
            errors.append(FieldError("declaration.intended_use_case", "must be a string of 20 to 1000 characters"))
        }
        if let volume = d["expected_monthly_volume_usd"], !volume.isNull, !volume.isPositiveNumber {
            errors.append(FieldError("declaration.expected_monthly_volume_usd", "must be a positive number"))
        }
        if let url = d["website_url"], !url.isNull, !(url.stringValue.map(isAbsoluteHTTPURL) ?? false) {
            errors.append(FieldError("declaration.website_url", "must be an absolute http or https URL"))
        }
        if d["accepted_terms"] != .bool(true) {
            errors.append(FieldError("declaration.accepted_terms", "must be true"))
        }
        return errors
    }

    /// `http://` or `https://` (any case), a non-empty host, no whitespace or control characters.
    static func isAbsoluteHTTPURL(_ text: String) -> Bool {
        guard text.utf8.count <= 2048,
            !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F })
        else { return false }
        let lower = text.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") {
            rest = text.dropFirst(8)
        } else if lower.hasPrefix("http://") {
            rest = text.dropFirst(7)
        } else {
            return false
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let host = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
        let hostName = host.hasPrefix("[") ? host : host.prefix { $0 != ":" }
        return !hostName.isEmpty
    }
}

extension Declaration {
    static let maxVolumeDollars: Int64 = 1_000_000_000_000

    /// A positive JSON number rounded up to whole dollars, decided on its digits (never through floating
    /// point); nil for anything else.
    static func wholeDollarsRoundedUp(_ value: JSONValue) -> Int64? {
        guard case let .number(literal) = value, value.isPositiveNumber else { return nil }
        // Canonical form: d[.ddd]eN, no trailing zeros; the value is 0.dddd × 10^(N+1).
        let canonical = JSONValue.canonicalNumber(literal)
        let parts = canonical.split(separator: "e", maxSplits: 1)
        let digits = Array(parts[0].utf8.filter { $0 != UInt8(ascii: ".") }).map { Int64($0 - UInt8(ascii: "0")) }
        guard let exponent = parts.count > 1 ? Int(parts[1]) : 0 else {  // an exponent beyond any real value
            return parts[1].hasPrefix("-") ? 1 : maxVolumeDollars
        }
        let integerDigits = exponent + 1
        if integerDigits <= 0 { return 1 }
        if integerDigits > 13 { return maxVolumeDollars }
        var whole: Int64 = 0
        for i in 0..<integerDigits { whole = whole * 10 + (i < digits.count ? digits[i] : 0) }
        if digits.count > integerDigits { whole += 1 }  // a fraction remains (trailing zeros are gone)
        return min(whole, maxVolumeDollars)
    }
}

extension JSONValue {
    /// A JSON number strictly greater than zero (decided on the literal, never through floating point).
    var isPositiveNumber: Bool {
        guard case let .number(literal) = self else { return false }
        let canonical = JSONValue.canonicalNumber(literal)
        return canonical != "0" && !canonical.hasPrefix("-")
    }
}
