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
        try swiftFilesByPath().map { ((($0.path as NSString).lastPathComponent), $0.text) }
    }

    /// Every Swift file under Sources/, by its path there (`LiveGateCore/Time/UTCTime.swift`).
    static func swiftFilesByPath() throws -> [(path: String, text: String)] {
        var files: [(String, String)] = []
        let walk = FileManager.default.enumerator(atPath: sources.path)
        while let path = walk?.nextObject() as? String {
            guard path.hasSuffix(".swift") else { continue }
            files.append((path, try String(contentsOf: sources.appendingPathComponent(path), encoding: .utf8)))
        }
        return files
    }

    /// Files still converting a `Date` by hand, until the branch that rewrites them switches to `WallClock`.
    static let handMadeInstants: Set<String> = []

    @Test("the core reads no clock; the rest reads the wall clock through WallClock")
    func oneWallClock() throws {
        let files = try Self.swiftFilesByPath()
        #expect(files.count >= 80, "the scan found too few files to be trusted")
        let clockReads = [
            "Date()", "Date.now", "ContinuousClock", "SuspendingClock", "DispatchTime", "clock_gettime",
            "gettimeofday", "ProcessInfo",
        ]
        for (path, text) in files where path.hasPrefix("LiveGateCore/") {
            for read in clockReads where text.contains(read) { Issue.record("\(path) reads a clock: \(read)") }
        }
        for (path, text) in files
        where text.contains("timeIntervalSince1970 * 1000")
            && path != "LiveGateStore/WallClock.swift" && !Self.handMadeInstants.contains(path)
        {
            Issue.record("\(path) makes a UTCInstant by hand: use WallClock")
        }
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
            #expect(
                [
                    "PostgresConnection.swift", "PostgresConnection+Pipeline.swift", "ConnectionString.swift",
                    "PostgresRows.swift", "PostgresArray.swift", "PostgresError.swift",
                ].contains(name), "\(name) imports libpq")
        }
    }
}
