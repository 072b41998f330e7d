import Gateway
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import Testing

/// The request context does not keep a connection alive: HummingbirdWebSocket keeps a WebSocket route's
/// context in a reference cycle, so a context that held its channel strongly leaked every connection.
@Suite struct AppRequestContextTests {
    @Test func aClosedChannelIsNotKeptAliveByItsContextOnceTaken() async throws {
        var channel: (any Channel)? = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let watched = WeakChannelReference(channel!)
        let context = AppRequestContext(source: .init(channel: channel!, logger: Logger(label: "test")))
        var taken = context.takeChannel()
        #expect(taken != nil, "the first taker gets the connection")
        #expect(context.takeChannel() == nil, "and the context no longer holds it")
        try await taken?.close()
        (channel, taken) = (nil, nil)
        // The event loop lets go of a closed channel within its next turns: wait for that, bounded.
        let released = try await poll({ watched.channel == nil }) { $0 }
        #expect(released)
        withExtendedLifetime(context) {}
    }

    @Test func anUpgradeWhoseRouteNeverRunsLetsTheChannelGoWhenItCloses() async throws {
        // A client that leaves before the 101 is written: the WebSocket route never takes the channel.
        var channel: (any Channel)? = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let watched = WeakChannelReference(channel!)
        let context = AppRequestContext(source: .init(channel: channel!, logger: Logger(label: "test")))
        context.releaseChannelWhenClosed()
        try await channel?.close()
        channel = nil
        let released = try await poll({ watched.channel == nil }) { $0 }
        #expect(released)
        #expect(context.takeChannel() == nil)
    }
}

/// Watches a channel without keeping it alive.
private final class WeakChannelReference: Sendable {
    weak let channel: (any Channel)?

    init(_ channel: any Channel) {
        self.channel = channel
    }
}
