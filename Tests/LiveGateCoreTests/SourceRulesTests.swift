import Foundation
import Testing

/// Rules about the code itself, checked on the source text.
@Suite("Source rules")
struct SourceRulesTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    /// Interpolations allowed inside SQL: compile-time constants of the store, never input.
    static let allowedInterpolations: Set<String> = ["\\(Rows.tenantColumns)"]

    /// The SQL text passed to every `query(` call in the shipped modules.
    static func sqlLiterals() throws -> [(file: String, sql: String)] {
        var found: [(String, String)] = []
        for module in ["Postgres", "LiveGateStore", "LiveGatePipeline", "livegate"] {
            let dir = sources.appendingPathComponent(module)
            for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where name.hasSuffix(".swift") {
                let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
                var rest = text[...]
                while let call = rest.range(of: "query(") {
                    rest = rest[call.upperBound...].drop { $0 == " " || $0 == "\n" }
                    if rest.hasPrefix("\"\"\""), let end = rest.dropFirst(3).range(of: "\"\"\"") {
                        found.append((name, String(rest[rest.index(rest.startIndex, offsetBy: 3)..<end.lowerBound])))
                        rest = rest[end.upperBound...]
                    } else if rest.hasPrefix("\""), let end = rest.dropFirst().firstIndex(of: "\"") {
                        found.append((name, String(rest[rest.index(after: rest.startIndex)..<end])))
                        rest = rest[end...].dropFirst()
                    }
                }
            }
        }
        return found
    }

    @Test("no SQL is built from input text: every query is a literal, interpolating only named constants")
    func parameterizedSQL() throws {
        let literals = try Self.sqlLiterals()
        #expect(literals.count >= 20, "the scan found too few queries to be trusted")
        for (file, sql) in literals {
            var interpolations: [String] = []
            var rest = sql[...]
            while let start = rest.range(of: "\\(") {
                let end = rest[start.lowerBound...].firstIndex(of: ")") ?? rest.endIndex
                interpolations.append(String(rest[start.lowerBound...end]))
                rest = rest[rest.index(after: end)...]
            }
            for piece in interpolations where !Self.allowedInterpolations.contains(piece) {
                Issue.record("\(file): SQL interpolates \(piece)")
            }
        }
    }
}
