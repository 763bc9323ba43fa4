/// SQL text that can only come from the source code: a string literal (interpolation does not compile,
/// since this type takes literals but not interpolations) or a concatenation of such. Every statement
/// LiveGate sends is one, so a value can reach the server only as a parameter, never as SQL.
public struct SQL: ExpressibleByStringLiteral, Sendable, CustomStringConvertible {
    public let text: String

    public init(stringLiteral value: StaticString) { text = value.description }

    private init(text: String) { self.text = text }

    /// A generated identifier (a schema name of the tests or the bench), double-quoted: lowercase ASCII
    /// letters, digits and `_`, starting with a letter or `_`, at most 63 bytes. Anything else is refused,
    /// so no text can pass for SQL this way either.
    public static func identifier(_ name: String) throws(PostgresError) -> SQL {
        let bytes = Array(name.utf8)
        let valid =
            (1...63).contains(bytes.count) && !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[0])
            && bytes.allSatisfy {
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_")
            }
        guard valid else { throw PostgresError(kind: .protocolViolation, message: "not a generated identifier") }
        return SQL(text: "\"" + name + "\"")
    }

    /// Two pieces of source SQL, one after the other.
    public static func + (lhs: SQL, rhs: SQL) -> SQL { SQL(text: lhs.text + rhs.text) }

    public var description: String { text }
}
