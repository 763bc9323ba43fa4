#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one reader of LiveGate's environment variables (`LIVEGATE_…`). An option given on the command line wins,
/// then its variable, then its default. A variable set to something that does not parse is refused, naming it
/// (exit 64, one line): never read as unset, never replaced by the default in silence. Only free text (a URL,
/// a list of brokers, a name) set to the empty string counts as unset.
enum Env {
    /// A non-empty environment variable, or nil.
    static func get(_ name: String) -> String? {
        guard let value = raw(name), !value.isEmpty else { return nil }
        return value
    }

    /// The variable exactly as set (empty included), or nil when it is not set at all.
    static func raw(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// A variable that names what guards LiveGate (a token file, a key set): nil only when it is not set at
    /// all. Set but empty (or blank) is a mistake, often a Secret that failed to mount, and reading it as
    /// "unset" would run without the guard: refused (contract v1.2, "Nothing fails open").
    static func secret(_ name: String) throws -> String? {
        guard let value = raw(name) else { return nil }
        guard !value.allSatisfy(\.isWhitespace) else {
            throw CommandFailure.usage("\(name) is set but empty: give it a value, or unset it.")
        }
        return value
    }

    /// A yes-or-no variable: `true`/`1` or `false`/`0`, nil when unset. Anything else (empty, `yes`, `TRUE `)
    /// is refused rather than guessed at: these variables switch guarantees off.
    static func flag(_ name: String) throws -> Bool? {
        guard let value = raw(name) else { return nil }
        switch value {
        case "true", "1": return true
        case "false", "0": return false
        default: throw CommandFailure.usage("\(name) must be true, false, 1 or 0, not \(quoted(value)).")
        }
    }

    /// A whole number within `range`, nil when unset; anything else is refused, naming the variable and `range`.
    static func integer<Number: FixedWidthInteger>(_ name: String, in range: ClosedRange<Number>) throws -> Number? {
        guard let value = raw(name) else { return nil }
        guard let number = Number(value), range.contains(number) else {
            throw CommandFailure.usage(
                "\(name) must be a whole number from \(range.lowerBound) to "
                    + "\(range.upperBound), not \(quoted(value)).")
        }
        return number
    }

    /// Seconds within `range` (`2.5` is allowed), nil when unset; anything else is refused.
    static func seconds(_ name: String, in range: ClosedRange<Double>) throws -> Double? {
        guard let value = raw(name) else { return nil }
        guard let number = Double(value), number.isFinite, range.contains(number) else {
            throw CommandFailure.usage(
                "\(name) must be a number of seconds from \(Int(range.lowerBound)) to "
                    + "\(Int(range.upperBound)), not \(quoted(value)).")
        }
        return number
    }

    /// One of `choices`, nil when unset; anything else is refused, listing them.
    static func choice(_ name: String, of choices: [String]) throws -> String? {
        guard let value = raw(name) else { return nil }
        guard choices.contains(value) else {
            let listed = choices.joined(separator: ", ")
            throw CommandFailure.usage("\(name) must be one of \(listed), not \(quoted(value)).")
        }
        return value
    }

    /// A value as a message may quote it: its first 32 characters, so a variable set by mistake to something
    /// long (or secret) is not printed whole.
    private static func quoted(_ value: String) -> String {
        "\"\(value.prefix(32))\(value.count > 32 ? "…" : "")\""
    }
}
