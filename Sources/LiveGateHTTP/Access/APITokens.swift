import Crypto
import Foundation
import LiveGateCore

/// Bearer tokens of `livegate serve --api-token-file`, one per line: `token scopes [tenant=ID]`, where scopes
/// is a comma-separated list of `Scope`s (contract v1.2). Blank lines and lines starting with `#` are skipped.
/// Only each token's SHA-256 digest is kept, with what it grants, so a token never sits in memory in the clear
/// after loading and the lookup compares fixed-size digests. A mistake stops loading with the line's number;
/// no error ever quotes a line (it holds a token).
public struct APITokens: Sendable {
    private let grants: [Data: Grant]

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case unreadable(String)
        case empty(String)
        case tooShort(line: Int)
        case noScopes(line: Int)
        case unknownScope(line: Int)
        case badTenant(line: Int)
        case extraFields(line: Int)
        case repeated(line: Int, first: Int)

        public var description: String {
            switch self {
            case let .unreadable(path): return "cannot read the API token file \(path)"
            case let .empty(path): return "the API token file \(path) holds no token"
            case let .tooShort(line):
                return "API token file, line \(line): the token is shorter than \(APITokens.minimumLength) characters"
            case let .noScopes(line):
                return "API token file, line \(line): no scopes (write `token scope[,scope…] [tenant=ID]`)"
            case let .unknownScope(line):
                return
                    "API token file, line \(line): an unknown scope (known: \(Scope.allCases.map(\.rawValue).joined(separator: ", ")))"
            case let .badTenant(line):
                return
                    "API token file, line \(line): the third field must be tenant=ID, ID 1 to 128 characters without control characters"
            case let .extraFields(line): return "API token file, line \(line): more than three fields"
            case let .repeated(line, first): return "API token file, line \(line): the same token as line \(first)"
            }
        }
    }

    /// Shortest token accepted: a guessable token is no token.
    public static let minimumLength = 16

    public init(file path: String) throws(Failure) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw .unreadable(path) }
        try self.init(text: text, source: path)
    }

    public init(text: String, source: String) throws(Failure) {
        var grants: [Data: (grant: Grant, line: Int)] = [:]
        // Split on any line break (a file written on Windows ends lines in "\r\n", one Character in Swift).
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = index + 1
            let fields = raw.split(whereSeparator: \.isWhitespace)
            guard let token = fields.first, !token.hasPrefix("#") else { continue }
            guard token.unicodeScalars.count >= Self.minimumLength else { throw .tooShort(line: line) }
            guard fields.count >= 2 else { throw .noScopes(line: line) }
            guard fields.count <= 3 else { throw .extraFields(line: line) }
            var scopes: Set<Scope> = []
            for name in fields[1].split(separator: ",", omittingEmptySubsequences: false) {
                guard let scope = Scope(rawValue: String(name)) else { throw .unknownScope(line: line) }
                scopes.insert(scope)
            }
            var tenant: String?
            if fields.count == 3 {
                guard fields[2].hasPrefix("tenant="),
                    let id = InputDecoder.usableId(.string(String(fields[2].dropFirst("tenant=".count))))
                else {
                    throw .badTenant(line: line)
                }
                tenant = id
            }
            let digest = Self.digest(token)
            if let first = grants[digest] { throw .repeated(line: line, first: first.line) }
            grants[digest] = (Grant(scopes: scopes, tenant: tenant), line)
        }
        guard !grants.isEmpty else { throw .empty(source) }
        self.grants = grants.mapValues(\.grant)
    }

    /// Tokens loaded.
    public var count: Int { grants.count }

    /// What the token in an `Authorization` header value (`Bearer <token>`) grants; nil for none or an unknown one.
    public func grant(authorization: String?) -> Grant? {
        guard let authorization, authorization.utf8.count > 7,
            authorization.prefix(7).lowercased() == "bearer "
        else { return nil }
        let token = authorization.dropFirst(7).trimmingCharacters(in: .whitespaces)
        return grants[Self.digest(token)]
    }

    private static func digest(_ token: some StringProtocol) -> Data { Data(SHA256.hash(data: Data(token.utf8))) }
}
