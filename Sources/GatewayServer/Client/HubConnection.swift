import Gateway
import HummingbirdWSClient
import Logging
import NIOCore
import NIOPosix
import NIOWebSocket
import Synchronization

import Foundation

/// One WebSocket connection to the hub: connects, hands every text frame to the caller, and reports
/// how it ended. Reconnecting is the caller's business (``InteractiveClient``); the demo uses one.
struct HubConnection: Sendable {
    /// The `ws://` URL, with the client id already in the path.
    let url: String
    let logger: Logger

    /// The largest message accepted from the hub (the hub's own default limit is 64 KiB).
    static let maxMessageBytes = 1 << 22

    /// How long the hub's welcome may take once the WebSocket handshake is done before the attempt is
    /// abandoned (the hub sends it right after the handshake, so network latency barely counts).
    ///
    /// The hub refuses a client (1008, 1013) by closing right after the handshake, and that close frame
    /// can arrive in the same TCP segment as the 101. WSClient then sometimes reports neither the frame
    /// nor the end of the connection and waits forever (seen under load in the tests, about one refusal
    /// in three; the hub's own tests read that close on a raw socket for the same reason). The watchdog
    /// turns such a hang into a failed attempt that the caller retries or reports.
    static let welcomeTimeout = Duration.seconds(5)

    /// Connects and runs until either side closes, the connection fails, or no welcome arrives within
    /// ``welcomeTimeout``.
    ///
    /// - Parameters:
    ///   - onFrame: called for each text frame in order, with this connection's writer; awaited, so a
    ///     slow caller slows reading.
    ///   - onWelcome: called once, right after `onFrame` for the hub's welcome, with the writer; until
    ///     then the hub may still refuse the client (1008, 1013) and nothing should be sent.
    /// - Returns: how the connection ended, and whether the welcome had arrived.
    func run(
        onFrame: @escaping @Sendable (String, WebSocketOutboundWriter) async -> Void,
        onWelcome: @escaping @Sendable (ReceivedMessage, WebSocketOutboundWriter) async -> Void
    ) async -> ConnectionEnd {
        let welcome = WelcomeFlag()
        let (upgraded, handshakeDone) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        return await withTaskGroup(of: ConnectionEnd?.self) { group in
            group.addTask { await connect(welcome, handshakeDone: handshakeDone, onFrame: onFrame, onWelcome: onWelcome) }
            group.addTask {
                for await _ in upgraded { break }
                try? await Task.sleep(for: Self.welcomeTimeout)
                return nil
            }
            var timedOut = false
            while let result = await group.next() {
                if let end = result {
                    group.cancelAll()
                    guard timedOut else { return end }
                    let seconds = Self.welcomeTimeout.components.seconds
                    return ConnectionEnd(kind: .failed("no welcome from the hub within \(seconds) s"), welcomed: false)
                }
                if !welcome.arrived.load(ordering: .relaxed) && !Task.isCancelled {
                    timedOut = true
                    group.cancelAll()
                }
            }
            return ConnectionEnd(kind: .failed("cancelled"), welcomed: welcome.arrived.load(ordering: .relaxed))
        }
    }

    /// One WSClient connection, start to end.
    private func connect(
        _ welcome: WelcomeFlag,
        handshakeDone: AsyncStream<Void>.Continuation,
        onFrame: @escaping @Sendable (String, WebSocketOutboundWriter) async -> Void,
        onWelcome: @escaping @Sendable (ReceivedMessage, WebSocketOutboundWriter) async -> Void
    ) async -> ConnectionEnd {
        do {
            let frame = try await WebSocketClient.connect(
                url: url,
                configuration: .init(maxFrameSize: Self.maxMessageBytes, closeTimeout: .seconds(3)),
                logger: logger
            ) { inbound, outbound, _ in
                handshakeDone.yield()
                for try await message in inbound.messages(maxSize: Self.maxMessageBytes) {
                    guard case .text(let text) = message else { continue }
                    await onFrame(text, outbound)
                    if !welcome.arrived.load(ordering: .relaxed), let received = ReceivedMessage(frame: text),
                        received.messageType == BroadcastMessage.Kind.welcome
                    {
                        welcome.arrived.store(true, ordering: .relaxed)
                        await onWelcome(received, outbound)
                    }
                }
            }
            let code = frame.map { Self.number(of: $0.closeCode) }
            return ConnectionEnd(kind: .closed(code: code, reason: frame?.reason), welcomed: welcome.arrived.load(ordering: .relaxed))
        } catch {
            return ConnectionEnd(kind: .failed(Self.describe(error)), welcomed: welcome.arrived.load(ordering: .relaxed))
        }
    }

    /// Whether this connection's welcome arrived; read after the connection ended.
    private final class WelcomeFlag: Sendable {
        let arrived = Atomic<Bool>(false)
    }

    /// The numeric close code (NIO names the registered ones; the hub also sends 1013 and 4001).
    static func number(of code: WebSocketErrorCode) -> Int {
        var buffer = ByteBufferAllocator().buffer(capacity: 2)
        buffer.write(webSocketErrorCode: code)
        return Int(buffer.readInteger(as: UInt16.self) ?? 0)
    }

    /// A short reason for a failed connection: "connection refused" rather than NIO's full error dump.
    static func describe(_ error: any Error) -> String {
        if let error = error as? NIOConnectionError {
            if let first = error.connectionErrors.first { return describe(first.error) }
            if error.dnsAError != nil || error.dnsAAAAError != nil { return "cannot resolve \(error.host)" }
        }
        if let error = error as? IOError {
            return String(cString: strerror(error.errnoCode)).lowercased()
        }
        return "\(error)"
    }
}

/// How one ``HubConnection`` ended.
struct ConnectionEnd: Sendable, CustomStringConvertible {
    /// Closed or failed.
    enum Kind: Sendable {
        /// The WebSocket closed; `code` is the hub's close code (`nil` if it sent none).
        case closed(code: Int?, reason: String?)
        /// The connection could not be made or broke.
        case failed(String)
    }

    var kind: Kind
    /// Whether the hub's welcome arrived: the client was really connected, not refused after the handshake.
    var welcomed: Bool

    /// The close code, if the hub sent one.
    var closeCode: Int? {
        if case .closed(let code, _) = kind { return code }
        return nil
    }

    var description: String {
        switch kind {
        case .closed(let code?, let reason?) where !reason.isEmpty: "closed by the hub with \(code) (\(reason))"
        case .closed(let code?, _): "closed by the hub with \(code)"
        case .closed(nil, _): "connection closed"
        case .failed(let reason): reason
        }
    }
}
