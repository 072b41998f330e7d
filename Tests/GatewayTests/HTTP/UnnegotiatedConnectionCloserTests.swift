@testable import Gateway
import NIOCore
import NIOEmbedded
import Testing

/// A connection whose first request has not been negotiated cannot hold a graceful shutdown: it is
/// closed when the server quiesces, whether it sent nothing or part of a request head.
@Suite struct UnnegotiatedConnectionCloserTests {
    private func connectedChannel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(handler: UnnegotiatedConnectionCloser())
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8000)).wait()
        return channel
    }

    @Test func aConnectionThatNeverSentAByteIsClosedWhenTheServerQuiesces() throws {
        let channel = try connectedChannel()
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(!channel.isActive)
    }

    @Test func aConnectionHalfWayThroughItsFirstRequestHeadIsClosedToo() throws {
        let channel = try connectedChannel()
        try channel.writeInbound(ByteBuffer(string: "GET /ws HTTP/1.1\r\n"))
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(string: "GET /ws HTTP/1.1\r\n"), "its bytes go on unchanged")
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(!channel.isActive, "the request was not handled yet, so nothing is cut short")
    }

    @Test func onceRemovedTheQuiesceIsLeftToTheConnectionsOwnHandlers() throws {
        let channel = try connectedChannel()
        try channel.pipeline.syncOperations.removeHandler(context: try channel.pipeline.syncOperations.context(handlerType: UnnegotiatedConnectionCloser.self)).wait()
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(channel.isActive)
        _ = try channel.finish()
    }
}
