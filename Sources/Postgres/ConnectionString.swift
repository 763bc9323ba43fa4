import CLibPQ
import Redaction

/// A libpq connection string (`postgresql://…` or `key=value …`) checked before use, its password
/// registered with `Redaction`. Forms libpq would misread, and then quote in its errors, are refused with a
/// message that quotes nothing: a `/` or `@` in the user name or password (libpq takes the rest for the
/// host or port), a `%` not followed by two hex digits, and any string libpq cannot parse while it may hold
/// a password (its message can quote one).
public enum ConnectionString {
    /// Checks `text` and registers its secrets; throws a message safe to show.
    public static func check(_ text: String) throws(PostgresError) {
        let scheme = ["postgresql://", "postgres://"].first { text.hasPrefix($0) }
        let uri = scheme != nil
        var secrets: [String] = []
        if let scheme {
            let rest = text.dropFirst(scheme.count)
            if let credentials = try userinfo(rest), let colon = credentials.firstIndex(of: ":") {
                secrets.append(String(credentials[credentials.index(after: colon)...]))
            }
        }
        let parsed = parse(text)
        guard let options = parsed else {
            let mayHoldPassword = uri ? text.contains("@") : text.lowercased().contains("password")
            throw PostgresError(
                kind: .connection,
                message: mayHoldPassword
                    ? "the database URL is not one libpq can read (its message is withheld: it may quote the password)"
                    : "the database URL is not one libpq can read")
        }
        if let password = options["password"] { secrets.append(password) }
        Redaction.register(secrets)
    }

    /// The user name and password part of a URI, nil when there is none. libpq reads it up to the first `@`
    /// before any `/`.
    private static func userinfo(_ rest: Substring) throws(PostgresError) -> Substring? {
        guard let end = rest.firstIndex(where: { $0 == "@" || $0 == "/" }) else { return nil }
        guard rest[end] == "@" else {
            if rest[end...].contains("@") {
                throw PostgresError(
                    kind: .connection,
                    message: "the database URL has an @ after its host: "
                        + "write a / in the user name or password as %2F, an @ as %40")
            }
            return nil
        }
        if rest[rest.index(after: end)...].contains("@") {
            throw PostgresError(
                kind: .connection, message: "the database URL has two @: write an @ in the user name or password as %40"
            )
        }
        let credentials = rest[..<end]
        var i = credentials.startIndex
        while let percent = credentials[i...].firstIndex(of: "%") {
            let hex = credentials[credentials.index(after: percent)...].prefix(2)
            guard hex.count == 2, hex.allSatisfy(\.isHexDigit) else {
                throw PostgresError(
                    kind: .connection,
                    message: "the database URL's user name or password has a % "
                        + "that does not start an escape: write it as %25")
            }
            i = credentials.index(after: percent)
        }
        return credentials
    }

    /// libpq's own reading: keyword → value for every option given; nil when it cannot parse `text`.
    private static func parse(_ text: String) -> [String: String]? {
        var error: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(text, &error) else {
            if let error { PQfreemem(error) }
            return nil
        }
        defer { PQconninfoFree(options) }
        var values: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val { values[String(cString: keyword)] = String(cString: value) }
            option += 1
        }
        return values
    }
}
