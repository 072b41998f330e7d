import NIOCore
import NIOPosix

/// A raw TCP client for tests that need the bytes on the wire: sends a request to 127.0.0.1 and
/// collects what arrives (a Server-Sent Events stream, or a WebSocket handshake and its first frames).
final class RawConnection: Sendable {
    private let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    private let chunks = TestMailbox<[UInt8]>()
    private let task: Task<Void, Never>

    private init(channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>, request: ByteBuffer) {
        self.channel = channel
        let chunks = self.chunks
        task = Task {
            try? await channel.executeThenClose { inbound, outbound in
                try await outbound.write(request)
                for try await buffer in inbound { chunks.push(Array(buffer.readableBytesView)) }
            }
            chunks.finish()
        }
    }

    /// Connects to `port` and sends `request` as it is.
    static func open(port: Int, request: String) async throws -> RawConnection {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
        return RawConnection(channel: channel, request: ByteBuffer(string: request))
    }

    /// The bytes read by this call once `condition` holds for them (bounded wait).
    @discardableResult
    func read(within timeout: Duration = .seconds(10), until condition: ([UInt8]) -> Bool) async throws -> [UInt8] {
        var all: [UInt8] = []
        while !condition(all) {
            guard let chunk = try await chunks.next(within: timeout) else { throw TestFailure("connection ended after \(all.count) bytes") }
            all += chunk
        }
        return all
    }

    func close() async {
        channel.channel.close(promise: nil)
        await task.value
    }
}

/// A Server-Sent Events stream read as text.
struct SSEReader: Sendable {
    let connection: RawConnection

    static func open(port: Int, path: String) async throws -> SSEReader {
        SSEReader(connection: try await .open(port: port, request: "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"))
    }

    /// The text read by this call once `condition` holds for it.
    @discardableResult
    func read(within timeout: Duration = .seconds(10), until condition: (String) -> Bool) async throws -> String {
        String(decoding: try await connection.read(within: timeout) { condition(String(decoding: $0, as: UTF8.self)) }, as: UTF8.self)
    }

    func close() async throws { await connection.close() }
}
