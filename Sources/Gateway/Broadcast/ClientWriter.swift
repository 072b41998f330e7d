import Logging
import NIOCore
import NIOWebSocket

/// Drains one client's ``ClientOutbox`` into its channel, on the channel's event loop, with no task
/// of its own: an idle connection costs no task stack for its writer.
///
/// Woken by the outbox when work arrives, it takes everything queued, writes it with one flush, and
/// takes again only when that flush has completed: one batch in flight per client. That completion
/// is the backpressure: a client that stops reading stops its writer there, its outbox fills, and the
/// hub evicts it. Once a close is requested (or the client evicted) a timer on the event loop drops
/// the TCP connection if the close handshake has not finished within `closeTimeout`.
final class ClientWriter: Sendable {
    private let outbox: ClientOutbox
    private let channel: any Channel
    /// Where frames enter the pipeline: the frame encoder's context, so that the hub's ready-made
    /// wire frames go past the encoder straight to the socket.
    private let wire: NIOLoopBound<ChannelHandlerContext>
    private let closeTimeout: Duration
    private let logger: Logger
    private let clientID: String
    private let drainQueue: DrainQueue

    init(
        outbox: ClientOutbox, wire: ChannelHandlerContext, drainQueue: DrainQueue, closeTimeout: Duration,
        logger: Logger, clientID: String
    ) {
        self.outbox = outbox
        self.wire = NIOLoopBound(wire, eventLoop: wire.eventLoop)
        self.channel = wire.channel
        self.drainQueue = drainQueue
        self.closeTimeout = closeTimeout
        self.logger = logger
        self.clientID = clientID
    }

    /// Connects the writer to the outbox; from now on it writes whatever the hub queues.
    func start() {
        outbox.attach(
            wake: { [self] in drainQueue.add(self) },
            closeRequested: { [self] in boundCloseHandshake() }
        )
    }

    /// Takes and writes batches until the outbox is empty or a flush is pending. On the event loop.
    func drain() {
        guard let batch = outbox.take() else { return }
        switch batch {
        case .finished:
            return
        case .frames(let frames):
            write(frames).whenComplete { [self] result in
                // A failed write means the connection is going away; its handler finishes the outbox.
                if case .success = result { drain() }
            }
        case .close(let frames, let code, let reason):
            // The close frame after the frames before it, in the same flush.
            _ = write(frames + [WireFrame.close(code: code, reason: reason)])
        }
    }

    /// Writes wire frames back to back, the same buffer every other client got, with one flush (one
    /// `writev` for many frames).
    private func write(_ frames: [ByteBuffer]) -> EventLoopFuture<Void> {
        let wire = self.wire.value
        guard let last = frames.last else { return wire.eventLoop.makeSucceededVoidFuture() }
        for frame in frames.dropLast() {
            wire.write(NIOAny(frame), promise: nil)
        }
        return wire.writeAndFlush(NIOAny(last))
    }

    /// Gives the client `closeTimeout` to finish the close handshake, then drops the TCP connection
    /// (a client that does not read at all would otherwise hold it forever).
    private func boundCloseHandshake() {
        let channel = self.channel
        let logger = self.logger
        let clientID = self.clientID
        channel.eventLoop.scheduleTask(in: TimeAmount(closeTimeout)) {
            guard channel.isActive else { return }
            logger.debug("Close handshake timed out", metadata: ["ws.client.id": "\(clientID)"])
            channel.close(promise: nil)
        }
    }
}
