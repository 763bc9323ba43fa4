import Foundation
import LiveGateCore

/// The JSON Schema keywords that `topics/` may use, evaluated over `JSONValue` (so a boolean is never
/// mistaken for a number). Returns the first violation, or nil when `value` conforms.
enum SchemaSubset {
    static let annotations: Set<String> = ["$schema", "$id", "title", "description", "format", "examples"]
    static let keywords: Set<String> = [
        "type", "enum", "const", "required", "properties", "items", "minLength",
        "maxLength", "pattern", "minimum", "additionalProperties", "oneOf",
    ]

    static func violation(_ value: JSONValue, _ schema: JSONValue, path: String = "$") -> String? {
        guard case let .object(members) = schema else { return "\(path): schema is not an object" }
        for member in members where !keywords.contains(member.key) && !annotations.contains(member.key) {
            return "\(path): keyword \(member.key) is outside the subset"
        }
        if case let .array(choices)? = schema["oneOf"] {
            let matching = choices.filter { violation(value, $0, path: path) == nil }.count
            guard matching == 1 else { return "\(path): matches \(matching) of the oneOf schemas, not exactly 1" }
        }
        if let types = schema["type"] {
            let allowed = types.stringValue.map { [$0] } ?? arrayStrings(types)
            guard allowed.contains(where: { matches(value, type: $0) }) else { return "\(path): wrong type" }
        }
        if case let .array(options)? = schema["enum"], !options.contains(value) { return "\(path): not in enum" }
        if let constant = schema["const"], constant != value { return "\(path): not the constant" }
        if case let .string(s) = value, let problem = stringViolation(s, schema) { return "\(path): \(problem)" }
        if case let .number(n) = value, case let .number(min)? = schema["minimum"], let x = Double(n),
            let m = Double(min), x < m
        {
            return "\(path): below minimum"
        }
        if case let .array(elements) = value, let items = schema["items"] {
            for (i, element) in elements.enumerated() {
                if let v = violation(element, items, path: "\(path)[\(i)]") { return v }
            }
        }
        guard case let .object(fields) = value else { return nil }
        for name in arrayStrings(schema["required"] ?? .array([])) where value[name] == nil {
            return "\(path): missing \(name)"
        }
        let properties = schema["properties"]
        for field in fields {
            if let sub = properties?[field.key] {
                if let v = violation(field.value, sub, path: "\(path).\(field.key)") { return v }
            } else if schema["additionalProperties"] == .bool(false) {
                return "\(path): unexpected \(field.key)"
            }
        }
        return nil
    }

    static func stringViolation(_ s: String, _ schema: JSONValue) -> String? {
        let count = s.unicodeScalars.count
        if case let .number(n)? = schema["minLength"], let min = Int(n), count < min { return "too short" }
        if case let .number(n)? = schema["maxLength"], let max = Int(n), count > max { return "too long" }
        if let pattern = schema["pattern"]?.stringValue {
            guard let regex = try? NSRegularExpression(pattern: pattern) else { return "bad pattern \(pattern)" }
            let range = NSRange(s.startIndex..., in: s)
            if regex.firstMatch(in: s, range: range) == nil { return "does not match \(pattern)" }
        }
        return nil
    }

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object),
            ("number", .number):
            return true
        case let ("integer", .number(n)): return !n.contains(".") && !n.lowercased().contains("e")
        default: return false
        }
    }

    static func arrayStrings(_ value: JSONValue) -> [String] {
        guard case let .array(elements) = value else { return [] }
        return elements.compactMap(\.stringValue)
    }
}
