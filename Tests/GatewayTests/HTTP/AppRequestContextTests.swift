import Gateway
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import Testing

/// The request context does not keep a connection alive: HummingbirdWebSocket keeps a WebSocket route's
/// context in a reference cycle, so a context that held its channel strongly leaked every connection.
@Suite struct AppRequestContextTests {
    @Test func aClosedChannelIsNotKeptAliveByItsContext() async throws {
        var channel: (any Channel)? = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let context = AppRequestContext(source: .init(channel: channel!, logger: Logger(label: "test")))
        #expect(context.channel != nil, "reachable while the connection lives")
        try await channel?.close()
        channel = nil
        // The event loop lets go of a closed channel within its next turns: wait for that, bounded.
        let released = try await poll({ context.channel == nil }) { $0 }
        #expect(released)
    }
}
