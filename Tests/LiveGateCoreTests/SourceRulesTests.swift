import Foundation
import Postgres
import Testing

/// Rules about the code itself, checked on the source text.
@Suite("Source rules")
struct SourceRulesTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    /// SQL reaches libpq only as `SQL`, which takes string literals and not interpolations (so
    /// `"… '\\(id)'"` does not compile), concatenations of those, or a checked generated identifier. What a
    /// compiler cannot see is where identifiers are used: only for the schema names tests and the bench make.
    static let identifierUsers: Set<String> = ["TestDatabase.swift", "PhaseRig.swift", "SQL.swift"]

    static func swiftFiles() throws -> [(name: String, text: String)] {
        var files: [(String, String)] = []
        let walk = FileManager.default.enumerator(atPath: sources.path)
        while let path = walk?.nextObject() as? String {
            guard path.hasSuffix(".swift") else { continue }
            files.append(((path as NSString).lastPathComponent,
                          try String(contentsOf: sources.appendingPathComponent(path), encoding: .utf8)))
        }
        return files
    }

    @Test("SQL text cannot take interpolated input; identifiers are made only from generated names")
    func parameterizedSQL() throws {
        #expect(!(SQL.self is any ExpressibleByStringInterpolation.Type))
        let files = try Self.swiftFiles()
        #expect(files.count >= 80, "the scan found too few files to be trusted")
        for (name, text) in files where text.contains("SQL.identifier(") && !Self.identifierUsers.contains(name) {
            Issue.record("\(name) builds an SQL identifier")
        }
        // Only the Postgres module talks to libpq.
        for (name, text) in files where text.contains("import CLibPQ") {
            #expect(["PostgresConnection.swift", "PostgresConnection+Pipeline.swift", "ConnectionString.swift",
                     "PostgresRows.swift", "PostgresArray.swift", "PostgresError.swift"].contains(name), "\(name) imports libpq")
        }
    }
}
