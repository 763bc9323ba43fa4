import ArgumentParser
import LiveGateCore

#if canImport(Glibc)
    import Glibc
#endif

/// Reading the files that hold keys: a workers' key set (public keys) or a signer's private key. Every refusal
/// names the file and says why, never what it holds.
enum KeyFile {
    /// Key files are small; anything larger is not one (and is not read whole into memory).
    static let maxBytes = 1 << 20

    /// The public keys in the key set at `path`; `what` names it for people ("decision key set").
    static func keySet(_ path: String, what: String) throws -> DecisionKeySet {
        let bytes = try read(path, what: what)
        do { return try DecisionKeySet.parse(bytes) } catch {
            throw CommandFailure.usage("The \(what) \(path) is not valid: \(error.description).")
        }
    }

    /// The private signing key at `path`, which must be the one named `kid`.
    static func signingKey(_ path: String, kid: String) throws -> DecisionSigningKey {
        let bytes = try read(path, what: "signing key")
        let key: DecisionSigningKey
        do { key = try DecisionSigningKey.parse(bytes) } catch {
            throw CommandFailure.usage("\(path) is not a signing key: \(error.description).")
        }
        guard key.kid == kid else { throw CommandFailure.usage("\(path) holds kid \(key.kid), not \(kid).") }
        return key
    }

    /// The file's bytes, or a refusal with the system's reason ("No such file or directory").
    static func read(_ path: String, what: String) throws -> [UInt8] {
        func refused(_ why: String) -> CommandFailure { .usage("Cannot read the \(what) \(path): \(why).") }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw refused(String(cString: strerror(errno))) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { throw refused(String(cString: strerror(errno))) }
            if n == 0 { break }
            bytes += chunk[..<n]
            guard bytes.count <= maxBytes else { throw refused("larger than \(maxBytes) bytes, so not a key file") }
        }
        guard !bytes.isEmpty else { throw refused("the file is empty") }
        return bytes
    }
}
