import Foundation
import LiveGateCore

/// The throwaway keys of `livegate dev`: an admin's, which signs decisions, and settlement's, which signs
/// failed resolutions, each with the key set its worker reads, in a fresh folder (mode 0700) that goes when
/// dev stops.
struct DevKeys {
    let folder: String
    let admin: DecisionSigningKey
    let settlement: DecisionSigningKey

    var adminKeyPath: String { path("dev-admin.key") }
    var settlementKeyPath: String { path("dev-settlement.key") }
    var decisionKeySetPath: String { path("decision-keys.json") }
    var resolutionKeySetPath: String { path("resolution-keys.json") }

    static func make() throws -> DevKeys {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("livegate-dev-keys-\(UUID().uuidString.prefix(8).lowercased())").path
        try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: false,
            attributes: [.posixPermissions: 0o700])
        let keys = DevKeys(
            folder: folder, admin: DecisionSigningKey(kid: "dev-admin"),
            settlement: DecisionSigningKey(kid: "dev-settlement"))
        for (path, json) in [
            (keys.adminKeyPath, keys.admin.fileJSON), (keys.settlementKeyPath, keys.settlement.fileJSON),
            (keys.decisionKeySetPath, DecisionSigningKey.keySetJSON([keys.admin])),
            (keys.resolutionKeySetPath, DecisionSigningKey.keySetJSON([keys.settlement])),
        ] {
            try PrivateFile.create(path, contents: JSONWriter.bytes(json) + [UInt8(ascii: "\n")])
        }
        return keys
    }

    /// `base` requiring both signatures, with the key sets read back from their files as `livegate run` reads them.
    func rules(_ base: Rules) throws -> Rules {
        var rules = base
        rules.decisionKeys = try KeyFile.keySet(decisionKeySetPath, what: "decision key set")
        rules.resolutionKeys = try KeyFile.keySet(resolutionKeySetPath, what: "resolution key set")
        return rules
    }

    /// The keys die with the run they were made for.
    func remove() { try? FileManager.default.removeItem(atPath: folder) }

    private func path(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }
}
