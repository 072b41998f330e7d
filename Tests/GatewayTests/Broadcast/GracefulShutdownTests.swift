import Configuration
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

    @Test func aClientThatDoesNotAnswerTheShutdownCloseStillLeavesWithItsWebhookEvent() async throws {
        // Connections have no task for the server to wait for: the hub waits for its clients (up to
        // the close timeout) so that their disconnect events reach the webhook services before they stop.
        let receiver = WebhookReceiver()
        try await receiver.run { receiverPort in
            let overrides = deliveryOverrides(["broadcast.closeTimeoutSeconds": .double(0.5), "broadcast.pingIntervalSeconds": .int(0)])
            // Returned, so that it stays open through the shutdown: it never answers its 1001.
            let silent = try await withLiveApp(overrides) { client, port in
                _ = try await client.subscribe("http://127.0.0.1:\(receiverPort)/events", events: ["client-disconnected"])
                let silent = try SilentWebSocketClient(port: port, path: "/ws/silent")
                _ = try await poll({ try await client.get("/stats").json["active_connections"] as? Int ?? 0 }, until: { $0 == 1 })
                return silent
            }
            defer { withExtendedLifetime(silent) {} }
            let disconnected = try await receiver.requests.next(type: "client-disconnected", within: .seconds(15))
            #expect(disconnected.data["client_id"] as? String == "silent")
            #expect(disconnected.data["reason"] as? String == "server_shutdown")
            #expect(disconnected.data["close_code"] as? Int == 1001)
        }
    }
}
