import HTTPTypes
import Foundation
import Gateway
import HummingbirdWSClient
import Logging
import NIOCore
import NIOWebSocket
import Synchronization

/// A real WebSocket client for tests: collects the server's messages, sends on demand, and reports
/// how the connection ended. Run it with ``withWebSockets(port:paths:_:)``.
final class TestWebSocket: Sendable {
    /// A server message decoded to its string fields.
    typealias Message = [String: String]

    enum Outcome: Sendable {
        case closed(code: UInt16?)
        case failed(String)
    }

    let path: String
    let inbox = TestMailbox<String>()
    private let outcome = TestMailbox<Outcome>()
    private let commands: AsyncStream<String?>
    private let commandSink: AsyncStream<String?>.Continuation

    init(path: String) {
        self.path = path
        (commands, commandSink) = AsyncStream<String?>.makeStream(bufferingPolicy: .bufferingOldest(10_000))
    }

    /// Sends a text frame.
    func send(_ text: String) { commandSink.yield(text) }

    /// Sends a JSON object of string fields.
    func send(json: [String: String]) {
        let data = try! JSONSerialization.data(withJSONObject: json)
        send(String(decoding: data, as: UTF8.self))
    }

    /// Starts the client-side close handshake.
    func close() { commandSink.yield(nil) }

    /// The next server message, decoded; fails the test on timeout or end of stream.
    func next(within timeout: Duration = .seconds(10)) async throws -> Message {
        guard let text = try await inbox.next(within: timeout) else { throw TestFailure("connection \(path) ended") }
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw TestFailure("not a JSON object: \(text)")
        }
        return object.compactMapValues { $0 as? String }
    }

    /// The next message of type `type`, skipping others.
    func next(type: String, within timeout: Duration = .seconds(10)) async throws -> Message {
        while true {
            let message = try await next(within: timeout)
            if message["message_type"] == type { return message }
        }
    }

    /// Waits for the connection to end; returns the server's close code.
    func closeCode(within timeout: Duration = .seconds(15)) async throws -> UInt16? {
        switch try await outcome.next(within: timeout) {
        case .closed(let code): return code
        case .failed(let error): throw TestFailure("connection failed: \(error)")
        case nil: throw TestFailure("no outcome")
        }
    }

    /// Waits for the connection to end and returns why it failed to open, if it did.
    func failure(within timeout: Duration = .seconds(15)) async throws -> String? {
        if case .failed(let error) = try await outcome.next(within: timeout) { return error }
        return nil
    }

    /// Connects and runs until the connection ends.
    func run(port: Int) async {
        let logger = Logger(label: "test.ws")
        do {
            let frame = try await WebSocketClient.connect(
                url: "ws://127.0.0.1:\(port)\(path)",
                configuration: .init(maxFrameSize: 1 << 20),
                logger: logger
            ) { inbound, outbound, _ in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await command in self.commands {
                            guard let text = command else {
                                try await outbound.close(.normalClosure, reason: nil)
                                return
                            }
                            try await outbound.write(.text(text))
                        }
                    }
                    for try await message in inbound.messages(maxSize: 1 << 22) {
                        if case .text(let text) = message { self.inbox.push(text) }
                    }
                    group.cancelAll()
                }
            }
            outcome.push(.closed(code: frame.map { UInt16(webSocketErrorCode: $0.closeCode) }))
        } catch {
            outcome.push(.failed("\(error)"))
        }
        commandSink.finish()
        inbox.finish()
    }
}

/// Opens one client per path against `port`, runs `body`, then closes them all.
func withWebSockets<Result: Sendable>(
    port: Int,
    paths: [String],
    _ body: @Sendable ([TestWebSocket]) async throws -> Result
) async throws -> Result {
    let sockets = paths.map(TestWebSocket.init(path:))
    return try await withThrowingTaskGroup(of: Void.self) { group in
        for socket in sockets { group.addTask { await socket.run(port: port) } }
        do {
            let result = try await body(sockets)
            for socket in sockets { socket.close() }
            try await group.waitForAll()
            return result
        } catch {
            for socket in sockets { socket.close() }
            group.cancelAll()
            throw error
        }
    }
}

/// A test failure with a message.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension UInt16 {
    init(webSocketErrorCode code: WebSocketErrorCode) {
        var buffer = ByteBufferAllocator().buffer(capacity: 2)
        buffer.write(webSocketErrorCode: code)
        self = buffer.readInteger(as: UInt16.self) ?? 0
    }
}
