#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum Env {
    /// A non-empty environment variable, or nil.
    static func get(_ name: String) -> String? {
        guard let value = getenv(name).map({ String(cString: $0) }), !value.isEmpty else { return nil }
        return value
    }

    /// A variable that names what guards LiveGate (a token file, a key set): nil only when it is not set at
    /// all. Set but empty (or blank) is a mistake, often a Secret that failed to mount, and reading it as
    /// "unset" would run without the guard: refused (contract v1.2, "Nothing fails open").
    static func secret(_ name: String) throws -> String? {
        guard let value = getenv(name).map({ String(cString: $0) }) else { return nil }
        guard !value.allSatisfy(\.isWhitespace) else {
            throw CommandFailure.usage("\(name) is set but empty: give it a value, or unset it.")
        }
        return value
    }

    /// A yes-or-no variable: `true`/`1` or `false`/`0`, nil when unset. Anything else (empty, `yes`, `TRUE `)
    /// is refused rather than guessed at: these variables switch guarantees off.
    static func flag(_ name: String) throws -> Bool? {
        guard let value = getenv(name).map({ String(cString: $0) }) else { return nil }
        switch value {
        case "true", "1": return true
        case "false", "0": return false
        default: throw CommandFailure.usage("\(name) must be true, false, 1 or 0, not \"\(value.prefix(32))\".")
        }
    }

    /// A whole number, nil when unset; anything else is refused, naming the variable and `range`.
    static func integer(_ name: String, in range: ClosedRange<Int64>) throws -> Int64? {
        guard let value = getenv(name).map({ String(cString: $0) }) else { return nil }
        guard let number = Int64(value), range.contains(number) else {
            throw CommandFailure.usage("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound).")
        }
        return number
    }
}
