import Configuration
import Foundation
import Gateway
import HTTPTypes
import HummingbirdTesting
import Testing

/// Manual recovery after an outage: the dead-letter list, retry one, replay since a time; `/stats` figures.
@Suite struct DeliveryRecoveryTests {
    @Test func deadDeliveriesCanBeRetriedAndReplayedAfterAnOutage() async throws {
        let receiver = WebhookReceiver()
        receiver.script("/outage", Array(repeating: .status(503), count: 6))
        try await receiver.run { receiverPort in
            try await withLiveApp(deliveryOverrides()) { client, _ in
                let before = ISO8601.string(from: Date().addingTimeInterval(-1))
                let subscription = try await client.subscribe("http://127.0.0.1:\(receiverPort)/outage", events: ["message-broadcast"])
                _ = try await client.post("/broadcast", json: #"{"message": "lost"}"#)
                let dead = try await waitForDeliveries(subscription: subscription.id, status: "dead", client: client)
                let id = try #require(dead.first?["id"] as? String)
                #expect(dead.first?["attempts"] as? Int == 6)
                #expect((dead.first?["last_error"] as? String)?.contains("503") == true)
                let deadLetters = try await client.admin(.get, "/deliveries?status=dead").json["data"] as? [[String: Any]]
                #expect(deadLetters?.compactMap { $0["id"] as? String } == [id])

                // The endpoint is back: retry the one delivery.
                let retry = try await client.admin(.post, "/deliveries/\(id)/retry")
                #expect(retry.status == .accepted)
                let detail = try await waitForStatus("delivered", delivery: id, client: client)
                #expect((detail["attempts"] as? [Any])?.count == 7)
                #expect((detail["payload"] as? [String: Any])?["type"] as? String == "message-broadcast")

                // Another outage; replay everything since before the first event.
                receiver.script("/outage", Array(repeating: .status(503), count: 6))
                _ = try await client.post("/broadcast", json: #"{"message": "lost again"}"#)
                _ = try await poll({ (try await client.admin(.get, "/deliveries?status=dead").json["data"] as? [[String: Any]] ?? []).count }, until: { $0 > 0 })
                let replay = try await client.admin(.post, "/webhooks/\(subscription.id)/replay", json: #"{"since": "\#(before)"}"#)
                #expect(replay.status == .accepted)
                #expect(replay.json["queued"] as? Int == 1)
                let delivered = try await poll(
                    { (try await client.admin(.get, "/webhooks/\(subscription.id)/deliveries?status=delivered").json["data"] as? [[String: Any]] ?? []).count },
                    until: { $0 == 2 }
                )
                #expect(delivered == 2)
                let stats = try await client.get("/stats").json["webhooks"] as? [String: Any]
                #expect(stats?["subscriptions"] as? Int == 1)
                #expect(stats?["delivered"] as? Int == 2)
                #expect(stats?["queue_depth"] as? Int == 0)
            }
        }
    }

    @Test func recoveryRoutesAnswerClearErrors() async throws {
        try await withLiveApp(deliveryOverrides()) { client, _ in
            #expect(try await client.admin(.post, "/deliveries/msg_nope/retry").status == .notFound)
            #expect(try await client.admin(.get, "/deliveries/msg_nope").status == .notFound)
            #expect(try await client.admin(.get, "/deliveries?status=lost").status == .unprocessableContent)
            let subscription = try await client.subscribe("https://h.example/x")
            let missing = try await client.admin(.post, "/webhooks/\(subscription.id)/replay", json: "{}")
            #expect(missing.error?.message.hasPrefix("since") == true)
            let bad = try await client.admin(.post, "/webhooks/\(subscription.id)/replay", json: #"{"since": "yesterday"}"#)
            #expect(bad.status == .unprocessableContent)
            #expect(try await client.get("/deliveries").status == .unauthorized)
        }
    }
}
