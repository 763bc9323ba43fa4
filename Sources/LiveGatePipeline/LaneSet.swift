/// The lanes of one worker as a whole, pure: the first lane to fail stops the others (each then commits
/// the batch it finished, or leaves one it was still retrying uncommitted for the next reader), and its
/// failure is the worker's; later failures, caused by the stop or not, are only logged.
struct LaneSet: Equatable {
    enum Action: Equatable {
        /// Ask every lane (and the status guard) to stop.
        case stopAll
        /// Nothing to do: a clean end, or a failure after the first.
        case none
    }

    /// Lanes still running.
    private(set) var running: Int
    /// The lane whose failure is the worker's, once one failed.
    private(set) var firstFailed: Int?

    init(lanes: Int) { running = lanes }

    mutating func laneEnded(_ lane: Int, failed: Bool) -> Action {
        precondition(running > 0, "more lanes ended than started")
        running -= 1
        guard failed, firstFailed == nil else { return .none }
        firstFailed = lane
        return .stopAll
    }
}
