import HTTPTypes
import Gateway
import Hummingbird
import HummingbirdTesting
import Testing

/// Graceful shutdown tells connected clients the server is going away.
@Suite struct GracefulShutdownTests {
    @Test func gracefulShutdownClosesClientsWith1001() async throws {
        let app = try await buildApplication(reader: TestConfig.reader())
        let port = TestMailbox<Int>()
        let stop = TestMailbox<Void>()
        try await withThrowingTaskGroup(of: Void.self) { group in
            // The live test framework shuts the app down gracefully when its closure returns.
            group.addTask {
                try await app.test(.live) { client in
                    port.push(client.port!)
                    _ = try await stop.next(within: .seconds(30))
                }
            }
            let livePort = try #require(try await port.next())
            let socket = TestWebSocket(path: "/ws")
            group.addTask { await socket.run(port: livePort) }
            _ = try await socket.next(type: "welcome")
            stop.push(())
            #expect(try await socket.closeCode() == 1001)
            try await group.waitForAll()
        }
    }
}
