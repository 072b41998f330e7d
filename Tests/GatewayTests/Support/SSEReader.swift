import NIOCore
import NIOPosix

/// A minimal Server-Sent Events client for tests: a raw HTTP/1.1 GET on 127.0.0.1, then reads the
/// stream's text as it arrives.
final class SSEReader: Sendable {
    private let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    private let text = TestMailbox<String>()
    private let task: Task<Void, Never>

    private init(channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>, request: ByteBuffer) {
        self.channel = channel
        let text = self.text
        task = Task {
            try? await channel.executeThenClose { inbound, outbound in
                try await outbound.write(request)
                for try await buffer in inbound { text.push(String(buffer: buffer)) }
            }
            text.finish()
        }
    }

    static func open(port: Int, path: String) async throws -> SSEReader {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
        return SSEReader(channel: channel, request: ByteBuffer(string: "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"))
    }

    /// Everything read so far once `condition` holds for it (bounded wait).
    @discardableResult
    func read(within timeout: Duration = .seconds(10), until condition: (String) -> Bool) async throws -> String {
        var all = ""
        while !condition(all) {
            guard let chunk = try await text.next(within: timeout) else { throw TestFailure("stream ended: \(all)") }
            all += chunk
        }
        return all
    }

    func close() async throws {
        channel.channel.close(promise: nil)
        await task.value
    }
}
