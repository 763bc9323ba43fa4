/// One failing field of an input, reported in the verdict's `errors`.
public struct FieldError: Sendable, Equatable {
    /// Dotted path of the field, e.g. `declaration.intended_use_case`.
    public let field: String
    public let message: String
    /// Machine-readable reason; an attempt's verdict carries the first one as its `reason`.
    public let reason: String

    public init(_ field: String, _ message: String, reason: String = "invalid_request") {
        self.field = field
        self.message = message
        self.reason = reason
    }
}

/// Why an addressable input is refused before any state is consulted.
public struct Rejection: Sendable, Equatable {
    public let status: Int
    public let code: String?
    public let reason: String
    public let errors: [FieldError]

    public static func forbidden(_ reason: String) -> Rejection {
        Rejection(status: 403, code: "FORBIDDEN", reason: reason, errors: [])
    }

    /// A 400 listing every failing field. Its reason is `reason`, or else the first error's reason (attempts
    /// name the first failing field; access events say `invalid_request`).
    public static func invalid(_ errors: [FieldError], reason: String? = nil) -> Rejection {
        Rejection(
            status: 400, code: "INVALID_REQUEST_FORMAT",
            reason: reason ?? errors.first?.reason ?? "invalid_request", errors: errors)
    }
}

/// The result of validating an input's actor and body.
public enum Checked<Value: Sendable>: Sendable {
    case valid(Value)
    case rejected(Rejection)
}
