#if canImport(Glibc)
import Glibc
#endif

/// Crash points for the reliability proofs, set through `LIVEGATE_FAULT`, e.g. `crash-after-apply:5` kills
/// the process right after the 5th batch's PostgreSQL commit (outputs not yet published, offsets not
/// committed), `crash-after-publish:3` right after the 3rd batch's outputs were acknowledged (offsets not
/// committed). Batches are counted per lane: the first lane to reach its 5th batch kills the whole process,
/// siblings and all. The process dies as under `kill -9`: no cleanup, no flush. Unset in production.
struct FaultInjection: Sendable {
    enum Point: String, Sendable {
        case afterApply = "crash-after-apply"
        case afterPublish = "crash-after-publish"
    }

    let point: Point?
    let batch: Int

    init(_ spec: String?) {
        let parts = spec?.split(separator: ":") ?? []
        if parts.count == 2, let point = Point(rawValue: String(parts[0])), let batch = Int(parts[1]) {
            self.point = point
            self.batch = batch
        } else {
            self.point = nil
            self.batch = 0
        }
    }

    static let fromEnvironment = FaultInjection(getenv("LIVEGATE_FAULT").map { String(cString: $0) })

    /// Dies here if this is the configured point and batch.
    func check(_ point: Point, batch: Int) {
        if self.point == point, self.batch == batch { _exit(137) }
    }
}
