import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Fault points for the reliability proofs, set through `LIVEGATE_FAULT` as `<action>-<point>:<batch>`:
/// `crash-after-apply:5` kills the process right after the 5th batch's PostgreSQL commit (outputs not yet
/// published, offsets not committed), `crash-after-publish:3` right after the 3rd batch's outputs were
/// acknowledged (offsets not committed); `stop-…` freezes the whole process there instead (SIGSTOP on
/// itself), as a paused VM or a long GC would, until someone sends SIGCONT. Batches are counted per lane:
/// the first lane to reach its batch acts for the whole process. A crash is as under `kill -9`: no cleanup,
/// no flush. Read only by debug builds; the worker logs a warning at start when it is armed.
struct FaultInjection: Sendable, CustomStringConvertible {
    enum Action: String, Sendable { case crash, stop }
    enum Point: String, Sendable {
        case afterApply = "after-apply"
        case afterPublish = "after-publish"
    }

    let action: Action?
    let point: Point?
    let batch: Int

    init(_ spec: String?) {
        let parts = spec?.split(separator: ":") ?? []
        let name = parts.first.map(String.init) ?? ""
        let dash = name.firstIndex(of: "-")
        if parts.count == 2, let dash, let action = Action(rawValue: String(name[..<dash])),
            let point = Point(rawValue: String(name[name.index(after: dash)...])), let batch = Int(parts[1])
        {
            (self.action, self.point, self.batch) = (action, point, batch)
        } else {
            (self.action, self.point, self.batch) = (nil, nil, 0)
        }
    }

    /// `LIVEGATE_FAULT` in debug builds (the tests' `livegate`); a release build never reads it, so no
    /// environment variable can crash or freeze a production worker.
    static let fromEnvironment: FaultInjection = {
        #if DEBUG
            FaultInjection(getenv("LIVEGATE_FAULT").map { String(cString: $0) })
        #else
            FaultInjection(nil)
        #endif
    }()

    var isArmed: Bool { action != nil }

    var description: String {
        guard let action, let point else { return "none" }
        return "\(action.rawValue)-\(point.rawValue):\(batch)"
    }

    /// Whether the fault has acted in this process: it acts once, whichever lane gets there first. (A freeze
    /// that every lane repeated on its own first batch would freeze the process again after each SIGCONT.)
    private static let fired = Atomic<Bool>(false)

    /// Crashes or freezes here if this is the configured point and batch, the first time only.
    func check(_ point: Point, batch: Int) {
        guard self.point == point, self.batch == batch, let action,
            Self.fired.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged
        else { return }
        switch action {
        case .crash: _exit(137)
        case .stop: raise(SIGSTOP)
        }
    }
}
