import Dispatch
import Foundation
import Logging
import Synchronization

/// The tokens `serve` checks requests against: none (open, loopback only unless allowed) or those of a token
/// file, read again on SIGHUP so tokens rotate without a restart. A file that no longer parses leaves the
/// tokens in force unchanged, and the log says why (a line number, never a token).
public final class Credentials: Sendable {
    /// The token file, or nil when `serve` runs open.
    public let path: String?
    private let tokens: Mutex<APITokens?>
    /// The SIGHUP source, kept for as long as this object lives. Set once, on one thread, before any signal can
    /// use it; `nonisolated(unsafe)` because `DispatchSourceSignal` is not `Sendable`.
    nonisolated(unsafe) private var hangup: DispatchSourceSignal?

    /// No tokens: every request is allowed, and no tenant is bound.
    public static var open: Credentials { Credentials(path: nil, tokens: nil) }

    /// Loads `path`; throws the file's first mistake.
    public convenience init(file path: String) throws(APITokens.Failure) {
        self.init(path: path, tokens: try APITokens(file: path))
    }

    /// Tokens given as they are (tests).
    public convenience init(_ tokens: APITokens) { self.init(path: nil, tokens: tokens) }

    private init(path: String?, tokens: APITokens?) {
        self.path = path
        self.tokens = Mutex(tokens)
    }

    /// Whether requests need a token.
    public var required: Bool { tokens.withLock { $0 != nil } }

    /// How a request's `Authorization` header stands: open (no tokens), a grant, or nil for a request that
    /// needs a token it does not carry.
    public func lookup(authorization: String?) -> Lookup {
        guard let current = tokens.withLock({ $0 }) else { return .open }
        return current.grant(authorization: authorization).map(Lookup.granted) ?? .unknown
    }

    public enum Lookup: Sendable, Equatable {
        case open
        case granted(Grant)
        case unknown
    }

    /// Reads the token file again; on success its tokens replace the ones in force. Without a file, nothing.
    @discardableResult
    public func reload() -> Result<Int, APITokens.Failure> {
        guard let path else { return .success(0) }
        do {
            let fresh = try APITokens(file: path)
            tokens.withLock { $0 = fresh }
            return .success(fresh.count)
        } catch {
            return .failure(error)
        }
    }

    /// Reloads on every SIGHUP, logging the outcome, for as long as this object lives.
    public func reloadOnHangup(logger: Logger) {
        guard path != nil else { return }
        signal(SIGHUP, SIG_IGN)  // delivered to the dispatch source instead of ending the process
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler { [weak self] in
            guard let self else { return }
            switch self.reload() {
            case let .success(count): logger.notice("API tokens read again on SIGHUP", metadata: ["tokens": "\(count)"])
            case let .failure(failure):
                logger.error(
                    "API token file not reloaded; the tokens in force stay", metadata: ["reason": "\(failure)"])
            }
        }
        source.resume()
        hangup = source
    }
}
