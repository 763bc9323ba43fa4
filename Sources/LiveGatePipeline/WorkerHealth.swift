import Dispatch
import Synchronization

/// What the worker's `/healthz` and `/readyz` answer from. Every lane reports each turn of its loop (also
/// while it waits for PostgreSQL, so a worker waiting correctly stays live), whether it is in the group, and
/// whether PostgreSQL answered its last call.
public final class WorkerHealth: Sendable {
    struct Lane {
        var lastTurnNanos: UInt64 = DispatchTime.now().uptimeNanoseconds
        var inGroup = false
        var databaseAnswers = false
    }

    private let lanes: Mutex<[Int: Lane]>
    /// A lane silent for longer than this is stuck (a call blocked past the batch deadline and then some).
    public let stuckAfterSeconds: Double

    public init(lanes: Int, stuckAfterSeconds: Double) {
        self.lanes = Mutex(Dictionary(uniqueKeysWithValues: (0..<max(1, lanes)).map { ($0, Lane()) }))
        self.stuckAfterSeconds = stuckAfterSeconds
    }

    func turned(_ lane: Int) { update(lane) { $0.lastTurnNanos = DispatchTime.now().uptimeNanoseconds } }
    func inGroup(_ lane: Int, _ value: Bool) { update(lane) { $0.inGroup = value } }
    func database(_ lane: Int, answers: Bool) { update(lane) { $0.databaseAnswers = answers } }

    private func update(_ lane: Int, _ body: (inout Lane) -> Void) {
        lanes.withLock { if var state = $0[lane] { body(&state); $0[lane] = state } }
    }

    /// Lanes whose loop has not turned within `stuckAfterSeconds`; empty when the worker is live.
    public var stuckLanes: [Int] {
        let now = DispatchTime.now().uptimeNanoseconds
        return lanes.withLock {
            $0.filter { Double(now &- $0.value.lastTurnNanos) / 1e9 > stuckAfterSeconds }.keys.sorted()
        }
    }

    /// Why the worker is not ready (no lane may be out of the group or without PostgreSQL); empty when ready.
    public var notReadyReasons: [String] {
        lanes.withLock { lanes in
            lanes.sorted { $0.key < $1.key }.flatMap { lane, state -> [String] in
                (state.inGroup ? [] : ["lane \(lane) is not in the group"])
                    + (state.databaseAnswers ? [] : ["lane \(lane) has no PostgreSQL"])
            }
        }
    }
}
