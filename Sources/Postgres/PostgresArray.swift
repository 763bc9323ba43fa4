/// Builds PostgreSQL array literals for `unnest($n::text[])`-style parameters, so a whole batch travels as a
/// few parameters instead of one statement per row. Elements are quoted and escaped; `nil` is SQL NULL.
public enum PostgresArray {
    public static func literal(_ elements: [String?]) -> String {
        // Built as UTF-8 bytes in one buffer: this runs for every column of every batch (hot in profiles).
        var out: [UInt8] = []
        out.reserveCapacity(elements.reduce(2) { $0 + ($1?.utf8.count ?? 4) + 3 })
        out.append(UInt8(ascii: "{"))
        for (i, element) in elements.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            guard let element else { out.append(contentsOf: "NULL".utf8); continue }
            out.append(UInt8(ascii: "\""))
            var text = element
            text.withUTF8 { bytes in
                var runStart = 0
                for i in 0..<bytes.count where bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "\\") {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
                    out.append(UInt8(ascii: "\\"))
                    runStart = i  // the special byte itself starts the next run
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
            }
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    public static func literal(_ elements: [String]) -> String { literal(elements.map(Optional.some)) }

    /// `literal(elements)`, or nil (SQL NULL) when every element is NULL: for a column of a multi-array `unnest`,
    /// which pads a NULL array with NULLs just as it reads an array of them, so the server parses no column of
    /// NULLs (issue 23: most of a batch's fact columns are NULL in every row).
    public static func sparseLiteral(_ elements: [String?]) -> String? {
        elements.allSatisfy { $0 == nil } ? nil : literal(elements)
    }
}
