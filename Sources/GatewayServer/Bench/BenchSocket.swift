import Gateway
import NIOCore
import NIOPosix
import NIOWebSocket
import Synchronization

import Foundation

/// One WebSocket client of a load benchmark: connects, hands every text frame to `onText`, sends what
/// it is told, closes when told.
///
/// It lives entirely in a NIO pipeline on the benchmark's one client thread (``BenchSocket/group``):
/// no task per connection and no async iteration per frame. The client shares the machine's cores
/// with the server it measures, so every microsecond it spends per frame would show up as the
/// server's latency (with HummingbirdWSClient the client took more CPU than the server did).
final class BenchSocket: Sendable {
    /// What the connection did, for the benchmark to wait on.
    enum Phase: Sendable, Equatable {
        case connecting, open, closed, failed(String)
    }

    /// The benchmark client's event loop: one thread, leaving the other core to the server.
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    private let url: String
    private let phase = Mutex(Phase.connecting)
    private let channel = Mutex<(any Channel)?>(nil)
    private let closeRequested = Mutex(false)
    private let onText: @Sendable (ByteBuffer) -> Void
    /// Signalled when the phase changes.
    let changed: WakeupSignal

    /// - Parameters:
    ///   - url: `ws://127.0.0.1:PORT/ws` (or `/ws/{id}`).
    ///   - changed: shared wake-up for phase changes (many sockets may share one).
    ///   - onText: called on the client's event loop for each text frame received (the welcome included).
    init(url: String, changed: WakeupSignal, onText: @escaping @Sendable (ByteBuffer) -> Void) {
        self.url = url
        self.changed = changed
        self.onText = onText
    }

    var currentPhase: Phase { phase.withLock { $0 } }

    /// Queues a text frame. **Overflow policy: drop newest**: `false` when the socket is not open or its
    /// outbound buffer is above NIO's high-water mark (a benchmark that outruns its own socket counts
    /// the lost sends as loss).
    @discardableResult
    func send(_ text: String) -> Bool {
        guard let channel = channel.withLock({ $0 }), channel.isActive, channel.isWritable else { return false }
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: ByteBuffer(string: text)), promise: nil)
        return true
    }

    /// Starts the close handshake (now, or as soon as the socket is open); the socket is closed
    /// outright when the server has not answered within 5 seconds.
    func close() {
        closeRequested.withLock { $0 = true }
        guard let channel = channel.withLock({ $0 }) else { return }
        var reason = channel.allocator.buffer(capacity: 2)
        reason.write(webSocketErrorCode: .normalClosure)
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: reason), promise: nil)
        channel.eventLoop.scheduleTask(in: .seconds(5)) { channel.close(promise: nil) }
    }

    /// Connects and runs until the connection ends.
    func run() async {
        do {
            guard let components = URLComponents(string: url), components.scheme == "ws", let host = components.host, let port = components.port else {
                throw BenchError("not a ws://host:port/path URL: \(url)")
            }
            let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
            let opened = Self.group.next().makePromise(of: Void.self)
            let onText = self.onText
            let connecting = ClientBootstrap(group: Self.group)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            BenchHandshakeHandler(host: host, port: port, path: path, opened: opened, onText: onText)
                        )
                    }
                }
                .connect(host: host, port: port)
            let channel: any Channel
            do {
                channel = try await connecting.get()
            } catch {
                opened.fail(error)
                throw error
            }
            // A server that never answers the upgrade must not hang the benchmark.
            let timeout = channel.eventLoop.scheduleTask(in: .seconds(10)) {
                opened.fail(BenchError("no answer to the WebSocket upgrade in 10 s"))
                channel.close(promise: nil)
            }
            opened.futureResult.whenComplete { _ in timeout.cancel() }
            try await opened.futureResult.get()
            self.channel.withLock { $0 = channel }
            set(.open)
            if closeRequested.withLock({ $0 }) { close() }
            try await channel.closeFuture.get()
            set(.closed)
        } catch {
            set(.failed("\(error)"))
        }
    }

    private func set(_ new: Phase) {
        phase.withLock { $0 = new }
        changed.signal()
    }
}

/// Sends the upgrade request, waits for `101 Switching Protocols`, then replaces itself with NIO's
/// WebSocket frame codec and a ``BenchFrameHandler`` (handing on any frame that came with the response).
final class BenchHandshakeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let host: String
    private let port: Int
    private let path: String
    private let opened: EventLoopPromise<Void>
    private let onText: @Sendable (ByteBuffer) -> Void
    private var response = ByteBuffer()

    init(host: String, port: Int, path: String, opened: EventLoopPromise<Void>, onText: @escaping @Sendable (ByteBuffer) -> Void) {
        self.host = host
        self.port = port
        self.path = path
        self.opened = opened
        self.onText = onText
    }

    func channelActive(context: ChannelHandlerContext) {
        // A fixed key: the benchmark trusts its own server, so the Sec-WebSocket-Accept check is skipped.
        let request = "GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: request)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        response.writeBuffer(&bytes)
        let view = response.readableBytesView
        guard let end = view.firstRange(of: Array("\r\n\r\n".utf8)) else {
            if response.readableBytes > 16_384 { fail(context: context, "the handshake response has no end") }
            return
        }
        let head = String(decoding: view[view.startIndex..<end.lowerBound], as: UTF8.self)
        guard head.hasPrefix("HTTP/1.1 101") else {
            return fail(context: context, "the server refused the upgrade: \(head.prefix { $0 != "\r" })")
        }
        response.moveReaderIndex(forwardBy: end.upperBound - view.startIndex)
        do {
            try context.pipeline.syncOperations.addHandlers(
                [ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: 1 << 22)), WebSocketFrameEncoder(), BenchFrameHandler(onText: onText)],
                position: .after(self)
            )
        } catch {
            return fail(context: context, "\(error)")
        }
        opened.succeed()
        if response.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(response)) }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        opened.fail(BenchError("the connection closed during the handshake"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context: context, "\(error)")
    }

    private func fail(context: ChannelHandlerContext, _ reason: String) {
        opened.fail(BenchError(reason))
        context.close(promise: nil)
    }
}

/// An open benchmark connection: text frames to `onText`, pings answered, the server's close frame
/// answered (unless it answers ours) and the socket closed.
final class BenchFrameHandler: ChannelDuplexHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let onText: @Sendable (ByteBuffer) -> Void
    /// Whether our close frame went out (then the server's close is its answer, not to be answered).
    private var sentClose = false

    init(onText: @escaping @Sendable (ByteBuffer) -> Void) {
        self.onText = onText
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text: onText(frame.unmaskedData)
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            guard !sentClose else { return context.close(promise: nil) }
            // The server closes first: answer, then end the TCP connection once the answer is written.
            sentClose = true
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: frame.unmaskedData)))
                .whenComplete { _ in bound.value.close(promise: nil) }
        default: break
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if unwrapOutboundIn(data).opcode == .connectionClose {
            if sentClose { return promise?.succeed() ?? () }
            sentClose = true
        }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
