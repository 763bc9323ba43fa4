import CRdKafka
import Foundation

/// `rd_kafka_destroy` with a bound. In librdkafka 2.0.2 destroying a consumer right after it left the group
/// can block for good: the caller joins the client's main thread, which never finishes terminating (seen
/// in the fault proof where two lanes leave the group at once after a PostgreSQL outage: a lane stuck here
/// never rejoins and never stops). The handle is destroyed on a thread of its own; the caller waits at most
/// `seconds` and then goes on, leaving that thread to finish (or to end with the process). `keepAlive` is
/// what the client's callbacks reach through its opaque pointer: it lives until the destroy returns.
enum BoundedDestroy {
    static let seconds = 10.0

    /// Returns whether the destroy finished in time.
    @discardableResult
    static func destroy(
        _ handle: OpaquePointer, flags: Int32 = 0, keepAlive: AnyObject, log: ((String) -> Void)? = nil
    ) -> Bool {
        let done = DispatchSemaphore(value: 0)
        let work = Destroy(handle: handle, flags: flags, keepAlive: keepAlive, done: done)
        let thread = Thread { work.run() }
        thread.name = "rdk:destroy"
        thread.start()
        guard done.wait(timeout: .now() + seconds) == .success else {
            log?("destroying a Kafka client took over \(Int(seconds)) s; left to finish in the background")
            return false
        }
        return true
    }

    /// What the destroying thread holds. The handle is not touched by anyone else once its owner's deinit ran.
    private final class Destroy: @unchecked Sendable {
        let handle: OpaquePointer
        let flags: Int32
        let keepAlive: AnyObject
        let done: DispatchSemaphore

        init(handle: OpaquePointer, flags: Int32, keepAlive: AnyObject, done: DispatchSemaphore) {
            self.handle = handle
            self.flags = flags
            self.keepAlive = keepAlive
            self.done = done
        }

        func run() {
            rd_kafka_destroy_flags(handle, flags)
            done.signal()
        }
    }
}
