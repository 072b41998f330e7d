@testable import Gateway
import NIOCore
import NIOEmbedded
import Testing

/// A connection that never sent a byte cannot hold a graceful shutdown: it is closed when the server
/// quiesces, while a connection that has started a request is left to finish it.
@Suite struct SilentConnectionCloserTests {
    private func connectedChannel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(handler: SilentConnectionCloser())
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8000)).wait()
        return channel
    }

    @Test func aConnectionThatNeverSentAByteIsClosedWhenTheServerQuiesces() throws {
        let channel = try connectedChannel()
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(!channel.isActive)
    }

    @Test func aConnectionThatSentARequestIsLeftToFinishIt() throws {
        let channel = try connectedChannel()
        try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\n"))
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(string: "GET / HTTP/1.1\r\n"), "its bytes go on unchanged")
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(channel.isActive, "the request's own handlers decide when it ends")
        _ = try channel.finish()
    }
}
