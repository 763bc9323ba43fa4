/// Builds PostgreSQL array literals for `unnest($n::text[])`-style parameters, so a whole batch travels as a
/// few parameters instead of one statement per row. Elements are quoted and escaped; `nil` is SQL NULL.
public enum PostgresArray {
    public static func literal(_ elements: [String?]) -> String {
        var out = "{"
        for (i, element) in elements.enumerated() {
            if i > 0 { out += "," }
            guard let element else { out += "NULL"; continue }
            out += "\""
            for ch in element.unicodeScalars {
                if ch == "\"" || ch == "\\" { out += "\\" }
                out.unicodeScalars.append(ch)
            }
            out += "\""
        }
        return out + "}"
    }

    public static func literal(_ elements: [String]) -> String { literal(elements.map(Optional.some)) }
}
