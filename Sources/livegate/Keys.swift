import ArgumentParser
import Foundation
import LiveGateCore

/// Keys of those who sign what LiveGate must not take on anyone's word: platform admins' decisions, and
/// settlement's failed resolutions (which give headroom back).
struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Signing keys: for platform admins' decisions (--decision-keys) and settlement's failed "
            + "resolutions (--resolution-keys).", subcommands: [Generate.self])

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an Ed25519 signing key: the private key goes to --out (mode 0600), its public "
                + "entry for the workers' key set is printed.",
            discussion: """
                One kind of key serves both: a platform admin's signs decisions (`livegate decide`), and the \
                workers take its public entry in the key set of --decision-keys (LIVEGATE_DECISION_KEYS); \
                settlement's signs failed resolutions (`livegate resolve`, or settlement's own service), and the \
                workers take it in the key set of --resolution-keys (LIVEGATE_RESOLUTION_KEYS). Keep the two \
                apart: a key in both sets lets whoever holds it decide and release.
                """)

        @Option(help: "The key's id, 1–128 characters, e.g. admin-3-2026-12 or settlement-2026-12.")
        var kid: String

        @Option(help: "File for the private key; it must not exist yet.")
        var out: String

        func validate() throws {
            guard InputDecoder.usableId(.string(kid)) != nil else {
                throw ValidationError("--kid must be 1 to 128 characters without control characters.")
            }
        }

        func run() throws {
            let key = DecisionSigningKey(kid: kid)
            try PrivateFile.create(out, contents: JSONWriter.bytes(key.fileJSON) + [UInt8(ascii: "\n")])
            print(
                "Private key written to \(out) (mode 0600). Keep it with whoever signs: a platform admin (decisions) "
                    + "or settlement (failed resolutions); never give it to a worker.")
            print(
                "Its public entry, for the \"keys\" array of the workers' key set: --decision-keys (LIVEGATE_DECISION_KEYS) "
                    + "for an admin's key, --resolution-keys (LIVEGATE_RESOLUTION_KEYS) for settlement's:")
            print(JSONWriter.string(key.publicEntry))
            print("A key set holding only this key:")
            print(JSONWriter.string(DecisionSigningKey.keySetJSON([key])))
        }
    }
}

/// A file only its owner may read, created from nothing (an existing file is never overwritten).
enum PrivateFile {
    static func create(_ path: String, contents: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            // A file in the way is the caller's to move (64); anything else is the system's (2).
            let message = "Cannot create \(path): \(String(cString: strerror(errno)))."
            throw errno == EEXIST ? CommandFailure.usage(message) : CommandFailure.runtime(message)
        }
        defer { close(fd) }
        let written = contents.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == contents.count, fsync(fd) == 0 else {
            throw CommandFailure.runtime("Cannot write \(path): \(String(cString: strerror(errno))).")
        }
    }
}
