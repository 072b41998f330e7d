import Logging
import NIOCore
import NIOWebSocket

/// Drains one client's ``ClientOutbox`` into its channel, on the channel's event loop, with no task
/// of its own: an idle connection costs no task stack for its writer.
///
/// Woken by the outbox when work arrives, it takes everything queued and writes it with one flush,
/// until the outbox is empty. The socket's writability is the backpressure: once the bytes SwiftNIO
/// could not yet hand to the kernel pass the channel's high-water mark (64 KiB by default), the writer
/// stops taking, and its connection's handler restarts it when the channel is writable again. So a
/// client that stops reading leaves its frames in its outbox, which fills, and the hub evicts it. No
/// promise or callback per write. Once a close is requested (or the client evicted) a timer on the
/// event loop drops the TCP connection if the close handshake has not finished within `closeTimeout`.
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

    /// Takes and writes batches until the outbox is empty or the channel is not writable. On the event
    /// loop; called on a wake and when the channel becomes writable again.
    func drain() {
        let wire = self.wire.value
        while let batch = outbox.take() {
            switch batch {
            case .finished:
                return
            case .frames(let frames):
                write(frames, to: wire)
                // Over the high-water mark: stop here, still marked busy, so that no wake-up comes
                // before the handler's writability change does.
                guard wire.channel.isWritable else { return }
            case .close(let frames, let code, let reason):
                // The close frame after the frames before it, in the same flush.
                write(frames + [WireFrame.close(code: code, reason: reason)], to: wire)
            }
        }
    }

    /// Writes wire frames back to back with one flush (one `writev`). One frame goes out as it is, the
    /// same buffer every other client got; several small ones (a backlog, or a write delay's window) are
    /// first copied into one buffer, which costs less than SwiftNIO's write path once per frame. A failed
    /// write means the connection is going away; its handler finishes the outbox.
    private func write(_ frames: [ByteBuffer], to wire: ChannelHandlerContext) {
        let bytes = frames.count > 1 ? frames.reduce(0) { $0 + $1.readableBytes } : 0
        if bytes > 0, bytes <= Self.coalescedBytesLimit {
            var joined = wire.channel.allocator.buffer(capacity: bytes)
            for frame in frames { joined.writeImmutableBuffer(frame) }
            wire.write(NIOAny(joined), promise: nil)
        } else {
            for frame in frames {
                wire.write(NIOAny(frame), promise: nil)
            }
        }
        wire.flush()
    }

    /// The most bytes copied into one buffer; larger batches are written frame by frame (copying them
    /// would cost more than the writes it saves).
    static let coalescedBytesLimit = 16 * 1024

    /// Gives the client `closeTimeout` to finish the close handshake, then drops the TCP connection
    /// (a client that does not read at all would otherwise hold it forever).
    private func boundCloseHandshake() {
        let channel = self.channel
        let logger = self.logger
        let clientID = self.clientID
        let closeTimeout = self.closeTimeout
        // Called wherever the close was requested (an eviction: inside the hub's lock); one hop to
        // the event loop, where the deadline is set.
        channel.eventLoop.execute {
            channel.close(after: closeTimeout) {
                logger.debug("Close handshake timed out", metadata: ["ws.client.id": "\(clientID)"])
            }
        }
    }
}
