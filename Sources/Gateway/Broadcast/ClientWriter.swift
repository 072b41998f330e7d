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

    /// Writes wire frames back to back with one flush (one `writev`). A frame alone goes out as it is,
    /// the same buffer every other client got; consecutive small frames (a backlog, or a write delay's
    /// window) are first copied together, up to ``coalescedBytesLimit`` a buffer, which costs less than
    /// SwiftNIO's write path once per frame. A failed write means the connection is going away; its
    /// handler finishes the outbox.
    private func write(_ frames: [ByteBuffer], to wire: ChannelHandlerContext) {
        var start = frames.startIndex
        while start < frames.endIndex {
            // The longest run from `start` that fits in one buffer (at least one frame).
            var end = start + 1
            var bytes = frames[start].readableBytes
            while end < frames.endIndex, bytes + frames[end].readableBytes <= Self.coalescedBytesLimit {
                bytes += frames[end].readableBytes
                end += 1
            }
            if end - start == 1 {
                wire.write(NIOAny(frames[start]), promise: nil)
            } else {
                var joined = wire.channel.allocator.buffer(capacity: bytes)
                for frame in frames[start..<end] { joined.writeImmutableBuffer(frame) }
                wire.write(NIOAny(joined), promise: nil)
            }
            start = end
        }
        wire.flush()
    }

    /// The most bytes copied into one buffer: a larger frame is written as it is (copying it would
    /// cost more than the write it saves).
    static let coalescedBytesLimit = 16 * 1024

    /// Writes the close frame now, then gives the client `closeTimeout` to finish the close handshake
    /// and drops the TCP connection (a client that does not read at all would otherwise hold it
    /// forever). Now, not with the next run of its ``DrainQueue``: with a write delay that run may
    /// come after the deadline, and the client would lose its close frame.
    private func boundCloseHandshake() {
        let channel = self.channel
        let logger = self.logger
        let clientID = self.clientID
        let closeTimeout = self.closeTimeout
        // Called wherever the close was requested (an eviction: inside the hub's lock); one hop to
        // the event loop, where the frames and the close go out and the deadline is set.
        channel.eventLoop.execute {
            self.drain()
            channel.close(after: closeTimeout) {
                logger.debug("Close handshake timed out", metadata: ["ws.client.id": "\(clientID)"])
            }
        }
    }
}
