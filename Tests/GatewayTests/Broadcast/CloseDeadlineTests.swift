@testable import Gateway
import NIOCore
import NIOEmbedded
import Testing

/// The close-handshake deadline: it drops a connection that is still open when it passes, and lets go
/// of one that closed before (at thousands of connections a second, timers still holding closed
/// connections for 5 s were 4 KiB of memory per connection, measured with `gateway bench churn`).
@Suite struct CloseDeadlineTests {
    @Test func aConnectionStillOpenAtTheDeadlineIsClosed() throws {
        let loop = EmbeddedEventLoop()
        let channel = EmbeddedChannel(loop: loop)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8000)).wait()
        channel.close(after: .seconds(5))
        loop.advanceTime(by: .seconds(4))
        #expect(channel.isActive)
        loop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }

    @Test func aConnectionClosedBeforeTheDeadlineIsNotKeptUntilIt() throws {
        let loop = EmbeddedEventLoop()
        weak var watched: EmbeddedChannel?
        do {
            let channel = EmbeddedChannel(loop: loop)
            watched = channel
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8000)).wait()
            channel.close(after: .seconds(5))
            try channel.close().wait()
        }
        loop.run()
        #expect(watched == nil, "the cancelled timer no longer holds the channel")
    }
}
