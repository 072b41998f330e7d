import Configuration
import Foundation
import Gateway
import HTTPTypes
import HummingbirdTesting
import Testing

/// Per-endpoint health: operational events and the rate limit, end to end.
@Suite struct EndpointHealthTests {
    @Test func operationalEventsReachOnlySubscriptionsThatNameThem() async throws {
        let receiver = WebhookReceiver()
        receiver.script("/gone", [.status(410)])
        receiver.script("/down", Array(repeating: .status(503), count: 6))
        receiver.script("/flaky", [.status(503), .status(500)])
        try await receiver.run { receiverPort in
            try await withLiveApp(deliveryOverrides()) { client, _ in
                let ops = try await client.subscribe(
                    "http://127.0.0.1:\(receiverPort)/ops", events: ["webhook.disabled", "delivery.exhausted", "delivery.recovered"]
                )
                let everything = try await client.subscribe("http://127.0.0.1:\(receiverPort)/all", events: ["*"])
                let gone = try await client.subscribe("http://127.0.0.1:\(receiverPort)/gone", events: ["message-broadcast"])
                let down = try await client.subscribe("http://127.0.0.1:\(receiverPort)/down", events: ["message-broadcast"])
                let flaky = try await client.subscribe("http://127.0.0.1:\(receiverPort)/flaky", events: ["message-broadcast"])
                _ = try await client.post("/broadcast", json: #"{"message": "x"}"#)
                // The operational events may arrive in any order.
                var byType: [String: WebhookReceiver.Received] = [:]
                while byType["webhook.disabled"] == nil || byType["delivery.exhausted"] == nil || byType["delivery.recovered"] == nil {
                    let request = try #require(try await receiver.requests.next(within: .seconds(10)))
                    if let type = request.eventType, type.contains(".") { byType[type] = request }
                }
                let disabled = try #require(byType["webhook.disabled"])
                #expect(disabled.path == "/ops")
                #expect(disabled.isSigned(with: ops.secret))
                #expect(disabled.data["subscription_id"] as? String == gone.id)
                let exhausted = try #require(byType["delivery.exhausted"])
                #expect(exhausted.data["subscription_id"] as? String == down.id)
                #expect(exhausted.data["attempts"] as? Int == 6)
                let recovered = try #require(byType["delivery.recovered"])
                #expect(recovered.data["subscription_id"] as? String == flaky.id)
                #expect(recovered.data["failed_attempts"] as? Int == 2)
                #expect(recovered.isSigned(with: ops.secret))
                // "*" does not include the operational events.
                #expect(!receiver.received.contains { $0.path == "/all" && ($0.eventType ?? "").contains(".") })
                _ = everything
            }
        }
    }

    @Test func aRateLimitedSubscriptionIsPaced() async throws {
        let receiver = WebhookReceiver()
        try await receiver.run { receiverPort in
            try await withLiveApp(deliveryOverrides()) { client, _ in
                _ = try await client.subscribe("http://127.0.0.1:\(receiverPort)/paced", events: ["message-broadcast"], extra: #", "delivery": {"rate_limit_per_second": 5}"#)
                for index in 0..<15 { _ = try await client.post("/broadcast", json: #"{"message": "\#(index)"}"#) }
                var arrivals: [ContinuousClock.Instant] = []
                while arrivals.count < 15 {
                    arrivals.append(try #require(try await receiver.requests.next(within: .seconds(15))).at)
                }
                // A bucket of 5 with 5 tokens/s: the last 10 need at least ~2 s (a lower bound, not a speed target).
                #expect(arrivals[0].duration(to: arrivals[14]) >= .milliseconds(1500))
            }
        }
    }

    @Test func anOpenCircuitIsCountedInStatsUntilItsProbeSucceeds() async throws {
        let receiver = WebhookReceiver()
        receiver.script("/down", [.status(500), .status(500)])
        try await receiver.run { receiverPort in
            let overrides = deliveryOverrides(["deliveries.breakerThreshold": .int(2), "deliveries.breakerCooldownSeconds": .double(1)])
            try await withLiveApp(overrides) { client, _ in
                _ = try await client.subscribe("http://127.0.0.1:\(receiverPort)/down", events: ["message-broadcast"])
                _ = try await client.post("/broadcast", json: #"{"message": "trips the breaker"}"#)
                @Sendable func openCircuits() async throws -> Int {
                    let stats = try await client.get("/stats").json
                    return (stats["webhooks"] as? [String: Any])?["open_circuits"] as? Int ?? -1
                }
                // Two failures open it; after the cool-down one probe goes, succeeds, and closes it.
                let opened = try await poll({ try await openCircuits() }) { $0 == 1 }
                let closed = try await poll({ try await openCircuits() }) { $0 == 0 }
                #expect(opened == 1 && closed == 0)
                #expect(receiver.received.count == 3)
            }
        }
    }
}

/// Auto-disable and the shutdown status event.
@Suite struct EndpointLifecycleTests {
    @Test func anEndpointFailingPastTheWindowIsDisabledWhenADeliveryIsExhausted() async throws {
        let receiver = WebhookReceiver()
        receiver.script("/failing", Array(repeating: .status(500), count: 6))
        try await receiver.run { receiverPort in
            // A zero window: the first exhausted delivery disables the endpoint.
            try await withLiveApp(deliveryOverrides(["deliveries.disableAfterFailingSeconds": .int(0)])) { client, _ in
                let ops = try await client.subscribe("http://127.0.0.1:\(receiverPort)/ops", events: ["webhook.disabled"])
                let failing = try await client.subscribe("http://127.0.0.1:\(receiverPort)/failing", events: ["message-broadcast"])
                _ = try await client.post("/broadcast", json: #"{"message": "x"}"#)
                let subscription = try await waitForSubscription(failing.id, client: client) { $0["enabled"] as? Bool == false }
                #expect((subscription["disabled_reason"] as? String)?.contains("failing without a success") == true)
                let event = try await receiver.requests.next(type: "webhook.disabled")
                #expect(event.isSigned(with: ops.secret))
            }
        }
    }

    @Test func serverStatusShutdownIsDeliveredOnGracefulShutdown() async throws {
        let receiver = WebhookReceiver()
        try await receiver.run { receiverPort in
            var overrides = deliveryOverrides()
            overrides["deliveries.shutdownGraceSeconds"] = .double(5)
            try await withLiveApp(overrides) { client, _ in
                _ = try await client.subscribe("http://127.0.0.1:\(receiverPort)/status", events: ["server-status"])
            }
            let shutdown = try await receiver.requests.next(type: "server-status")
            #expect(shutdown.data["status"] as? String == "shutdown")
        }
    }
}
