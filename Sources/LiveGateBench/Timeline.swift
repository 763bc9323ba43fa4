import Foundation
import LiveGateLocal
import Synchronization

/// A tenth of a measured run: how fast it answered and how much memory the worker held at its end. Over a
/// long run, the last tenths beside the second say whether throughput and memory stay flat as state grows
/// (the first tenth includes the ramp-up).
public struct Tenth: Sendable {
    public let answered: Int
    public let perSecond: Double
    public let workerRSSMB: Double
}

/// Samples the verdict count and the worker's resident memory every 20 ms on its own thread, and cuts the
/// run into tenths by answers.
final class Timeline: Sendable {
    /// Fewer answers than this make no tenths: verdicts arrive a batch (up to 500) at a time, so a tenth of a
    /// short run is crossed in one step and lasts no time at all (a CI run of 2,000 showed tenths of 0/s).
    static let minimumAnswers = 100_000

    private let state = Mutex<(marks: [(answered: Int, at: Date, rssMB: Double)], stopped: Bool)>(([], false))
    private let total: Int
    private let started: Date

    init(total: Int, clock: VerdictClock, worker: ChildProcess, started: Date) {
        self.total = max(1, total)
        self.started = started
        let thread = Thread { [self] in
            var next = 1
            while next <= 10, !state.withLock({ $0.stopped }) {
                let answered = clock.answered
                if answered * 10 >= next * self.total {
                    let rss = worker.rssMegabytes()
                    state.withLock { $0.marks.append((answered, Date(), rss)) }
                    next += 1
                } else {
                    usleep(20_000)
                }
            }
        }
        thread.start()
    }

    /// Once every attempt is answered: the tenths (the last ends at the last verdict). The sampler marks the
    /// tenths it has not yet within 20 ms; it is stopped after 2 s in any case.
    func finish(lastArrival: Date) -> [Tenth] {
        let deadline = Date().addingTimeInterval(2)
        while state.withLock({ $0.marks.count }) < 10, Date() < deadline { usleep(5_000) }
        let marks = state.withLock { state -> [(answered: Int, at: Date, rssMB: Double)] in
            state.stopped = true
            return state.marks
        }
        var previous = (answered: 0, at: started)
        return marks.map { mark in
            let end = mark.answered >= total ? max(lastArrival, previous.at) : mark.at
            let seconds = max(end.timeIntervalSince(previous.at), 1e-3)
            defer { previous = (mark.answered, end) }
            return Tenth(
                answered: mark.answered, perSecond: Double(mark.answered - previous.answered) / seconds,
                workerRSSMB: mark.rssMB)
        }
    }
}
