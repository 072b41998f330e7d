import HTTPTypes
import HummingbirdTesting
import Testing

@testable import Gateway

/// What operators rely on: liveness and readiness, and a request id on every answer.
@Suite struct OperationsTests {
    @Test func liveAndReadyAnswerWhileTheGatewayRuns() async throws {
        try await withLiveApp { client, _ in
            let live = try await client.get("/health/live")
            #expect(live.status == .ok)
            #expect(live.json["status"] as? String == "live")
            let ready = try await client.get("/health/ready")
            #expect(ready.status == .ok)
            #expect(ready.json["checks"] as? [String: String] == ["journal": "ok", "transport": "ok", "shutdown": "ok"])
        }
    }

    @Test func everyAnswerCarriesARequestIDTheClientsWhenUsable() async throws {
        try await withLiveApp { client, _ in
            let own = try await client.get("/health").headers[.requestID]
            #expect(own?.isEmpty == false)
            let other = try await client.get("/health").headers[.requestID]
            #expect(own != other)
            let echoed = try await client.execute(uri: "/nope", method: .get, headers: [.requestID: "trace-42"])
            #expect(echoed.status == .notFound)
            #expect(echoed.headers[.requestID] == "trace-42", "error answers carry it too")
            let replaced = try await client.execute(uri: "/health", method: .get, headers: [.requestID: String(repeating: "x", count: 200)])
            #expect(replaced.headers[.requestID]?.count ?? 0 < 200)
        }
    }

    @Test func notReadyWhenTheTransportHasStopped() async throws {
        let configuration = try GatewayConfiguration(reader: TestConfig.reader())
        let webhooks = try await WebhookStack(configuration: configuration, logger: silentLogger)
        #expect(webhooks.transport.isRunning)
        await webhooks.transport.shutdown(gracePeriod: .zero)
        #expect(!webhooks.transport.isRunning)
        #expect(!webhooks.journal.isRunning, "not started in this test")
        try await webhooks.registry.shutdown()
    }
}
