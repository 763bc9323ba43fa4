import Crypto
import Foundation

/// Bearer tokens of `livegate serve --api-token-file`: one token per line (blank lines and lines starting
/// with `#` are skipped). Only their SHA-256 digests are kept, so a token never sits in memory in the clear
/// after loading and the check compares fixed-size digests.
public struct APITokens: Sendable {
    private let digests: Set<Data>

    public enum Failure: Error, CustomStringConvertible {
        case unreadable(String)
        case empty(String)
        case tooShort(line: Int)

        public var description: String {
            switch self {
            case let .unreadable(path): return "cannot read the API token file \(path)"
            case let .empty(path): return "the API token file \(path) holds no token"
            case let .tooShort(line): return "API token on line \(line) is shorter than 16 characters"
            }
        }
    }

    /// Shortest token accepted: a guessable token is no token.
    public static let minimumLength = 16

    public init(file path: String) throws(Failure) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw .unreadable(path) }
        try self.init(text: text, source: path)
    }

    init(text: String, source: String) throws(Failure) {
        var digests: Set<Data> = []
        // Split on any line break (a file written on Windows ends lines in "\r\n", one Character in Swift).
        for (number, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let token = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty, !token.hasPrefix("#") else { continue }
            guard token.utf8.count >= Self.minimumLength else { throw .tooShort(line: number + 1) }
            digests.insert(Data(SHA256.hash(data: Data(token.utf8))))
        }
        guard !digests.isEmpty else { throw .empty(source) }
        self.digests = digests
    }

    /// Whether an `Authorization` header value carries one of the tokens (`Bearer <token>`).
    public func accepts(authorization: String?) -> Bool {
        guard let authorization, authorization.count > 7,
              authorization.prefix(7).lowercased() == "bearer " else { return false }
        let token = authorization.dropFirst(7).trimmingCharacters(in: .whitespaces)
        return digests.contains(Data(SHA256.hash(data: Data(token.utf8))))
    }
}
