/// When a verdict's batch passed each stage of a worker, for the bench (`livegate run --stage-stamps`, issue 23):
/// the poll that returned its input, the batch's snapshot read under its tenants' locks, its rows written, the
/// commit, and the hand-over of the outputs to the producer. A header on each transaction verdict, so the bench
/// can tell which stage a latency sits in; workers leave it out unless asked, and nothing reads it but the bench.
public struct StageStamps: Sendable, Equatable {
    /// The header's name (`Topics` lists the contract's headers; this one is not in the contract).
    public static let header = "livegate-stages"

    /// Microseconds since the epoch, in the order the stages pass.
    public var polled: Int64
    public var read: Int64
    public var written: Int64
    public var committed: Int64
    public var handed: Int64

    public init(polled: Int64, read: Int64, written: Int64, committed: Int64, handed: Int64) {
        (self.polled, self.read, self.written, self.committed, self.handed) = (polled, read, written, committed, handed)
    }

    /// The stamps in order.
    public var all: [Int64] { [polled, read, written, committed, handed] }

    /// The stamps in order, decimal microseconds separated by spaces.
    public var bytes: [UInt8] { Array(all.map(String.init).joined(separator: " ").utf8) }

    public init?(_ bytes: [UInt8]) {
        let parts = bytes.split(separator: UInt8(ascii: " ")).compactMap { Int64(String(decoding: $0, as: UTF8.self)) }
        guard parts.count == 5, bytes.split(separator: UInt8(ascii: " ")).count == 5 else { return nil }
        self.init(polled: parts[0], read: parts[1], written: parts[2], committed: parts[3], handed: parts[4])
    }
}
