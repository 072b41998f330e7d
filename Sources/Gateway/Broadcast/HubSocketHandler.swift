import Logging
import NIOCore
import NIOWebSocket

/// One WebSocket connection of the hub, served inside its channel's pipeline, after SwiftNIO's frame
/// decoder and encoder: no task, no async stream and no actor per connection, so an idle connection
/// costs its channel, this handler and its ``HubClient`` (see docs/PERFORMANCE.md, idle connections).
///
/// Inbound, on the channel's event loop: data frames are assembled into messages (bound:
/// `broadcast.maxMessageBytes`; over it, close 1009), rate limited (`broadcast.messagesPerSecond`
/// and `burst`; over it, an error and close 1008) and routed; pings are answered, pongs feed the
/// ``Keepalive``. Outbound: everything the hub sends goes through the client's ``ClientOutbox`` and
/// ``ClientWriter``, and so does every close the server starts, so a close frame always follows the
/// frames queued before it. Only the answer to a client's close, and pongs, are written here.
final class HubSocketHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let hub: BroadcastHub
    private let client: HubClient
    /// The frame encoder's context, where the client's writer puts its ready-made frames.
    private let wire: ChannelHandlerContext
    private let configuration: GatewayConfiguration.Broadcast
    private let logger: Logger
    private var bucket: TokenBucket
    private var message: MessageAssembler
    private var writer: ClientWriter?
    /// The payload of the latest ping not yet answered because the socket was over its high-water mark.
    /// Bound: one; overflow policy: a newer ping replaces it (RFC 6455 §5.5.3 lets an endpoint answer
    /// only the most recent ping), so a client that pings and does not read cannot grow anything.
    private var pendingPong: ByteBuffer?
    private var keepalive = Keepalive()
    private var pingTimer: RepeatedTask?
    /// Why the server is ending the connection, when this handler decided it (the hub's own closes,
    /// eviction and shutdown, are read from the outbox's close code).
    private var serverReason: DisconnectReason?
    /// The connection failed (a reset, an I/O error): the reason when nothing else explains the end.
    private var failed = false
    private var isFinished = false

    init(hub: BroadcastHub, client: HubClient, wire: ChannelHandlerContext, configuration: GatewayConfiguration.Broadcast, logger: Logger) {
        self.hub = hub
        self.client = client
        self.wire = wire
        self.configuration = configuration
        self.logger = logger
        self.bucket = TokenBucket(rate: configuration.messagesPerSecond, capacity: configuration.burst)
        self.message = MessageAssembler(maxBytes: configuration.maxMessageBytes)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let writer = ClientWriter(
            outbox: client.outbox, wire: wire, drainQueue: hub.drainQueues.queue(for: context.eventLoop),
            closeTimeout: configuration.closeTimeout, logger: logger, clientID: client.id
        )
        self.writer = writer
        writer.start()
        if let interval = configuration.pingInterval {
            let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
            let channel = context.channel
            let period = TimeAmount(interval)
            pingTimer = context.eventLoop.scheduleRepeatedTask(initialDelay: period, delay: period) { _ in
                handler.value.keepaliveTick(channel: channel)
            }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // After the client's close (or the end of the connection) nothing more is acted on (RFC 6455 §5.5.1).
        guard !isFinished else { return }
        let frame = unwrapInboundIn(data)
        guard frame.reservedBits.isEmpty else {
            return closeByServer(code: HubCloseCode.protocolError, reason: "reserved bits are not supported", as: .error)
        }
        switch frame.opcode {
        case .text, .binary, .continuation:
            switch message.append(frame) {
            case .incomplete:
                break
            case .complete(let isText, let data):
                received(isText: isText, data)
            case .tooLarge:
                closeByServer(
                    code: HubCloseCode.messageTooBig, reason: "message larger than \(configuration.maxMessageBytes) bytes", as: .messageTooLarge
                )
            case .outOfSequence:
                closeByServer(code: HubCloseCode.protocolError, reason: "unexpected continuation frame", as: .error)
            }
        case .ping:
            guard client.outbox.closeCode == nil else { return }
            pendingPong = frame.unmaskedData
            if context.channel.isWritable { sendPong(context: context) }
        case .pong:
            keepalive.receivedPong(frame.unmaskedData)
        case .connectionClose:
            receivedClose(frame, context: context)
        default:
            closeByServer(code: HubCloseCode.protocolError, reason: "unknown opcode", as: .error)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        // The writer stopped at the high-water mark; the kernel has taken enough bytes to go on.
        if context.channel.isWritable {
            sendPong(context: context)
            writer?.drain()
        }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case is ChannelShouldQuiesceEvent:
            // The server is shutting down gracefully.
            client.outbox.requestClose(code: HubCloseCode.goingAway, reason: "server shutting down")
        case ChannelEvent.inputClosed:
            // The client closed its side of the TCP connection (Hummingbird allows half-closure):
            // nothing more can come, and a close handshake cannot finish, so the connection ends here.
            finish()
            context.close(promise: nil)
        default:
            break
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // SwiftNIO's protocol error handler, ahead of this one, has already sent the close for these
        // (1009 or 1002) and closes the channel once it is written: nothing more goes out from the
        // hub, and a client that does not read loses the connection after `closeTimeout`.
        // Once finished (after a protocol error, say), later errors (bytes the failed decoder refuses)
        // change nothing: the close already sent gets its time.
        guard !isFinished else { return }
        if let error = error as? NIOWebSocketError {
            // The reason, unless the hub's own close (eviction, shutdown) went out first.
            if client.outbox.closeCode == nil { serverReason = error == .invalidFrameLength ? .messageTooLarge : .error }
            finish()
            context.channel.close(after: configuration.closeTimeout)
        } else {
            logger.debug("WebSocket connection error", metadata: ["ws.client.id": "\(client.id)", "error": "\(error)"])
            failed = true
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish()
    }

    /// A whole message from the client: counted, rate limited, then routed.
    private func received(isText: Bool, _ data: ByteBuffer) {
        guard client.outbox.closeCode == nil else { return }  // closing: nothing more is read
        hub.received(from: client)
        guard bucket.take(now: .now) else {
            reply(error: "rate limit exceeded: at most \(Int(configuration.messagesPerSecond)) messages per second")
            closeByServer(code: HubCloseCode.policyViolation, reason: "rate limit exceeded", as: .rateLimited)
            return
        }
        guard isText else { return reply(error: "binary frames are not supported: send JSON text") }
        route(InboundMessage.parse(String(buffer: data), from: client.id))
    }

    /// Acts on one parsed message.
    private func route(_ message: InboundMessage) {
        switch message {
        case .broadcast(let message):
            hub.broadcast(message, source: .websocket)
        case .ping:
            hub.reply(BroadcastMessage(message: "pong", sender: "System", messageType: BroadcastMessage.Kind.pong), to: client)
        case .direct(let to, let message):
            if hub.send(message, toClientIDs: [to], source: .websocket) == 0 {
                reply(error: "no connected client with id '\(to)'")
            }
        case .invalid(let problem):
            reply(error: problem)
        }
    }

    private func reply(error: String) {
        hub.reply(BroadcastMessage(message: error, sender: "System", messageType: BroadcastMessage.Kind.error), to: client)
    }

    /// The client's close frame: the end of a close the server started, or a close to answer.
    private func receivedClose(_ frame: WebSocketFrame, context: ChannelHandlerContext) {
        let serverSentClose = client.outbox.closeTaken
        finish()
        let channel = context.channel
        guard !serverSentClose else { return channel.close(promise: nil) }
        let answer = WebSocketFrame.close(code: WebSocketFrame.answerCode(toClose: frame.unmaskedData), reason: nil)
        context.writeAndFlush(wrapOutboundOut(answer)).whenComplete { _ in channel.close(promise: nil) }
        // Usually written and closed by now. If not, a client that sent its close and stopped reading
        // cannot hold the connection past this.
        if channel.isActive { channel.close(after: configuration.closeTimeout) }
    }

    /// Answers the latest ping, if one is waiting.
    private func sendPong(context: ChannelHandlerContext) {
        guard let payload = pendingPong else { return }
        pendingPong = nil
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: payload)), promise: nil)
    }

    /// Every `broadcast.pingIntervalSeconds`: a ping, or the end of a client that did not answer the last one.
    private func keepaliveTick(channel: any Channel) {
        guard client.outbox.closeCode == nil else { return }
        switch keepalive.tick() {
        case .ping(let payload):
            channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .ping, data: payload), promise: nil)
        case .timedOut:
            closeByServer(code: HubCloseCode.goingAway, reason: "ping timeout", as: .pingTimeout)
        }
    }

    /// Closes after the frames already queued, and remembers why.
    private func closeByServer(code: UInt16, reason: String, as disconnectReason: DisconnectReason) {
        // Only if this close is the one sent: the hub may have closed (evicted, shut down) first.
        if client.outbox.requestClose(code: code, reason: reason) { serverReason = disconnectReason }
    }

    /// Removes the client from the hub, once.
    private func finish() {
        guard !isFinished else { return }
        isFinished = true
        pendingPong = nil
        pingTimer?.cancel()
        pingTimer = nil
        let hubReason = client.outbox.closeCode.flatMap(DisconnectReason.init(hubCloseCode:))
        let reason = serverReason ?? hubReason ?? (failed ? .error : .clientClosed)
        hub.disconnect(client, reason: reason)
    }
}

extension Channel {
    /// Drops the connection after `timeout` unless it has closed by then (a peer that never finishes a
    /// close handshake). The timer is cancelled when the channel closes, so that a closed connection
    /// is not kept in memory for the rest of the timeout (at 3 000 connections a second, 5 s of them).
    /// On the channel's event loop. Cancelling searches the loop's timers (NIO's `Heap.removeFirst`:
    /// about 1 ns per pending timer), so a timer that has fired is not cancelled again.
    func close(after timeout: Duration, onTimeout: (@Sendable () -> Void)? = nil) {
        let fired = NIOLoopBoundBox(false, eventLoop: eventLoop)
        let timer = eventLoop.scheduleTask(in: TimeAmount(timeout)) { [self] in
            fired.value = true
            guard isActive else { return }
            onTimeout?()
            close(promise: nil)
        }
        closeFuture.whenComplete { _ in
            if !fired.value { timer.cancel() }
        }
    }
}
