import CRdKafka
import Synchronization

/// Receives librdkafka's log lines. `level` is syslog's (0 emergency … 7 debug).
public protocol KafkaLogSink: AnyObject, Sendable {
    func log(level: Int, _ message: String)
}

/// What the rebalance callback knows about the group, reachable from C through the client's opaque pointer.
final class GroupState: Sendable {
    let logger: KafkaLogSink?
    private let state = Mutex<
        (
            assigned: Set<TopicPartition>, revocations: Int, resets: [OffsetReset], member: Bool,
            resume: [TopicPartition: Int64]
        )
    >(([], 0, [], false, [:]))

    init(logger: KafkaLogSink?) { self.logger = logger }

    var assigned: Set<TopicPartition> { state.withLock { $0.assigned } }
    var revocations: Int { state.withLock { $0.revocations } }
    /// True between an assignment (possibly empty: more members than partitions) and the next revocation.
    var isMember: Bool { state.withLock { $0.member } }

    func assign(_ partitions: [TopicPartition]) {
        state.withLock {
            $0.assigned = Set(partitions)
            $0.member = true
        }
    }

    /// Where the next assignment starts reading these partitions instead of their committed offsets.
    func resume(at offsets: [TopicPartition: Int64]) {
        state.withLock { $0.resume = offsets }
    }

    func takeResume() -> [TopicPartition: Int64] {
        state.withLock { state in
            defer { state.resume = [:] }
            return state.resume
        }
    }

    /// At most this many unread resets are kept (one per partition at a time is the normal case).
    static let maxResets = 1024

    func reset(_ reset: OffsetReset) {
        state.withLock { if $0.resets.count < Self.maxResets { $0.resets.append(reset) } }
    }

    func takeResets() -> [OffsetReset] {
        state.withLock { state in
            defer { state.resets = [] }
            return state.resets
        }
    }

    func revokeAll() {
        state.withLock {
            $0.assigned = []
            $0.revocations += 1
            $0.member = false
        }
    }
}

/// Eager rebalancing: take the whole new assignment, or drop the whole old one.
let rebalanceCallback:
    @convention(c) (
        OpaquePointer?, rd_kafka_resp_err_t,
        UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
        UnsafeMutableRawPointer?
    ) -> Void = { handle, err, list, opaque in
        guard let opaque else { return }
        let group = Unmanaged<GroupState>.fromOpaque(opaque).takeUnretainedValue()
        if err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS, let list {
            let partitions = (0..<Int(list.pointee.cnt)).map {
                TopicPartition(
                    topic: String(cString: list.pointee.elems[$0].topic), partition: list.pointee.elems[$0].partition)
            }
            let resume = group.takeResume()
            for (i, tp) in partitions.enumerated() {
                if let offset = resume[tp] { list.pointee.elems[i].offset = offset }
            }
            rd_kafka_assign(handle, list)
            group.assign(partitions)
            group.logger?.log(level: 6, "assigned \(list.pointee.cnt) partitions")
        } else {
            rd_kafka_assign(handle, nil)
            group.revokeAll()
            group.logger?.log(level: 6, "partitions revoked (\(String(cString: rd_kafka_err2name(err))))")
        }
    }

/// Runs on the consumer's polling thread (`log.queue` routes logs through the consumer queue).
let logCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = {
    handle, level, facility, message in
    guard let handle, let opaque = rd_kafka_opaque(handle), let message else { return }
    let group = Unmanaged<GroupState>.fromOpaque(opaque).takeUnretainedValue()
    let facilityText = facility.map { String(cString: $0) } ?? "-"
    let messageText = String(cString: message)
    if let reset = OffsetReset.parse(facility: facilityText, message: messageText) { group.reset(reset) }
    group.logger?.log(level: Int(level), "\(facilityText): \(messageText)")
}
