import Configuration
import Foundation
import Gateway
import HTTPTypes
import HummingbirdTesting
import NIOCore
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

    @Test func theRunningEngineCompactsItsJournalAndARestartResumesFromTheSnapshot() async throws {
        let receiver = WebhookReceiver()
        // Always busy, for an hour: its delivery stays pending across the compaction and the restart.
        receiver.script("/busy", Array(repeating: .status(503, headers: ["Retry-After": "3600"]), count: 10))
        try await receiver.run { receiverPort in
            let overrides = deliveryOverrides([
                "data.dir": .string(TestConfig.temporaryDirectory()),
                "journal.segmentMaxBytes": .int(64 << 10), "journal.compactAfterBytes": .int(64 << 10),
                "journal.maintenanceIntervalSeconds": .double(0.05), "deliveries.maxRetained": .int(10),
            ])
            let (fast, busy) = try await withLiveApp(overrides) { client, _ in
                let busy = try await client.subscribe("http://127.0.0.1:\(receiverPort)/busy", events: ["message-broadcast"])
                _ = try await client.post("/broadcast", json: #"{"message": "hold"}"#)
                _ = try await poll({ receiver.received.count }, until: { $0 == 1 })
                let patched = try await client.admin(.patch, "/webhooks/\(busy.id)", json: #"{"events": ["client-connected"]}"#)
                #expect(patched.status == .ok)
                let fast = try await client.subscribe("http://127.0.0.1:\(receiverPort)/fast", events: ["message-broadcast"])
                let padding = String(repeating: "x", count: 1800)
                for index in 0..<120 { _ = try await client.post("/broadcast", json: #"{"message": "\#(index) \#(padding)"}"#) }
                let stats = try await poll({ try await client.get("/stats").body }, until: { body in
                    let webhooks = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])?["webhooks"] as? [String: Any]
                    return webhooks?["journal_compactions"] as? Int ?? 0 >= 1 && webhooks?["delivered"] as? Int == 120
                })
                let webhooks = (try JSONSerialization.jsonObject(with: Data(stats.readableBytesView)) as? [String: Any])?["webhooks"] as? [String: Any]
                // Without compaction the journal would hold all 120 payloads (over 216 000 bytes); with it, at most
                // twice what the last compaction left (about 40 000 bytes) plus one maintenance interval of appends.
                #expect(webhooks?["journal_bytes"] as? Int ?? .max < 120 * 1800)
                return (fast.id, busy.id)
            }
            try await withLiveApp(overrides) { client, _ in
                // Settled deliveries beyond deliveries.maxRetained were forgotten; the pending one survived with its attempt.
                let kept = try await client.admin(.get, "/webhooks/\(fast)/deliveries?limit=100").json["data"] as? [[String: Any]] ?? []
                #expect(kept.count <= 10, "\(kept.map { ($0["status"] ?? "", $0["attempts"] ?? "", $0["created_at"] ?? "", $0["last_attempt_at"] ?? "") })")
                #expect(kept.allSatisfy { $0["status"] as? String == "delivered" })
                // Still waiting for its retry (an hour away): "failed" is a pending delivery with a failed attempt.
                let pending = try await client.admin(.get, "/webhooks/\(busy)/deliveries?status=failed").json["data"] as? [[String: Any]] ?? []
                #expect(pending.count == 1)
                #expect(pending.first?["attempts"] as? Int == 1)
                #expect(pending.first?["last_status_code"] as? Int == 503)
                _ = try await client.post("/broadcast", json: #"{"message": "after the restart"}"#)
                let arrived = try await poll({ receiver.received.contains { $0.data["message"] as? String == "after the restart" } }, until: { $0 })
                #expect(arrived)
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
            let unknown = try await client.admin(.get, "/webhooks/wh_nope/deliveries")
            #expect(unknown.status == .notFound)
            let badSince = try await client.admin(.post, "/webhooks/\(subscription.id)/replay", json: #"{"since": "2024-01-01T12:99:00Z"}"#)
            #expect(badSince.status == .unprocessableContent)
            let lowercase = try await client.admin(.post, "/webhooks/\(subscription.id)/replay", json: #"{"since": "2024-01-01t00:00:00z"}"#)
            #expect(lowercase.status == .accepted)
        }
    }
}
