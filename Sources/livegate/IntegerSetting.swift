import ArgumentParser

/// A whole-number option with its environment variable, its range and its default, so that its help, its
/// check and its value in force come from one place.
struct IntegerSetting<Number: FixedWidthInteger & Sendable>: Sendable {
    let option: String
    let variable: String
    let range: ClosedRange<Number>
    let fallback: Number
    /// Said after the bounds and the default in the help, e.g. " ms".
    var unit = ""

    /// "1–64 (env: LIVEGATE_LANES; default 3)", for the option's help.
    var help: String {
        "\(range.lowerBound)–\(range.upperBound)\(unit) (env: \(variable); default \(fallback)\(unit))"
    }

    /// Refuses a value given on the command line outside the range: for `validate()` (exit 64, with the usage).
    func check(_ given: Number?) throws {
        if let given, !range.contains(given) {
            throw ValidationError("\(option) must be \(range.lowerBound) to \(range.upperBound).")
        }
    }

    /// The value in force: as given (checked by `check`), else the variable's (refused when it does not parse
    /// or is out of range), else the default. Environment variables are read when a command runs, not in
    /// `validate()`.
    func value(_ given: Number?) throws -> Number {
        if let given {
            // Checked by validate() already; said once more in case a caller skipped it.
            guard range.contains(given) else {
                throw CommandFailure.usage("\(option) must be \(range.lowerBound) to \(range.upperBound).")
            }
            return given
        }
        return try Env.integer(variable, in: range) ?? fallback
    }
}
