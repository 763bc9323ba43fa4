import Foundation
import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request body is not in within `BodyDeadline`'s timeout: sits in each HTTP/1
/// connection's pipeline after the parser, so it sees a request's head and end as they are read off the
/// socket, whatever the handler does meanwhile.
final class BodyDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private var machine: BodyDeadline
    private var timer: Scheduled<Void>?

    init(_ settings: BodyDeadline.Settings) { machine = BodyDeadline(settings) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: apply(machine.head(at: .now), context)
        case .end: apply(machine.end(), context)
        case .body: break
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        apply(machine.closed(), context)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    private func apply(_ action: BodyDeadline.Action, _ context: ChannelHandlerContext) {
        switch action {
        case .none:
            break
        case let .schedule(deadline):
            timer?.cancel()
            let wait = max(Int64(0), (deadline - .now).nanoseconds)
            timer = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(wait)) { [self] in
                timer = nil
                apply(machine.timerFired(at: .now), context)
            }
        case .cancel:
            timer?.cancel()
            timer = nil
        case .close:
            timer = nil
            HTTPMetrics.bodyTimedOut()
            context.close(promise: nil)
        }
    }
}
