import ArgumentParser
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
            throw ValidationError("\(name) is set but empty: give it a value, or unset it.")
        }
        return value
    }
}
