import Configuration
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import Gateway

/// The whole loop a new user sees in the UI: a bin, a webhook pointing at it (no allow-list needed for
/// exactly that), a broadcast, the signed delivery in the bin, and all of it on the admin stream.
@Suite struct InspectorEndToEndTests {
    /// The test token, and no `webhooks.allowedNetworks`: loopback is closed except for the inspector.
    static let overrides: [String: ConfigContent] = ["auth.adminToken": .string(TestAdmin.token), "journal.durability": .string("batch")]

    @Test func aWebhookToTheInspectorDeliversSignedRequestsWithoutTheAllowList() async throws {
        try await withLiveApp(Self.overrides) { client, port in
            let webhook = try await client.createWebhook(#"{"url": "https://hooks.example/placeholder", "events": ["message-broadcast"]}"#)
            let secret = try #require(webhook["secret"] as? String)
            let bin = try await client.admin(.post, "/inspector/bins", json: #"{"secret": "\#(secret)"}"#)
            #expect(bin.status == .created)
            let binID = try #require(bin.json["id"] as? String)
            let url = "http://127.0.0.1:\(port)/inspect/\(binID)"
            let id = try #require(webhook["id"] as? String)
            let patched = try await client.admin(.patch, "/webhooks/\(id)", json: #"{"url": "\#(url)"}"#)
            #expect(patched.status == .ok)
            // Anything else on loopback stays closed.
            let other = try await client.admin(.post, "/webhooks", json: #"{"url": "http://127.0.0.1:\#(port)/webhooks"}"#)
            #expect(other.status == .unprocessableContent)

            _ = try await client.post("/broadcast", json: #"{"message": "to the inspector"}"#)
            let requests = try await poll({ try await client.admin(.get, "/inspector/bins/\(binID)").body }, until: { body in
                !((((try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any])?["requests"] as? [Any]) ?? []).isEmpty
            })
            let detail = try #require(try JSONSerialization.jsonObject(with: Data(requests.readableBytesView)) as? [String: Any])
            let request = try #require((detail["requests"] as? [[String: Any]])?.first)
            #expect(request["signature"] as? String == "valid")
            #expect((request["headers"] as? [String: String])?["webhook-id"]?.hasPrefix("msg_") == true)
            #expect((request["body"] as? String)?.contains("to the inspector") == true)
        }
    }

    @Test func theAdminStreamCarriesDeliveriesAndInspectorRequestsAndNeedsTheToken() async throws {
        try await withLiveApp(Self.overrides) { client, port in
            let refused = try await client.get("/admin/stream")
            #expect(refused.status == .unauthorized)
            let bin = try await client.admin(.post, "/inspector/bins", json: "{}")
            let binID = try #require(bin.json["id"] as? String)
            _ = try await client.createWebhook(#"{"url": "http://localhost:\#(port)/inspect/\#(binID)", "events": ["message-broadcast"]}"#)
            let stream = try await SSEReader.open(port: port, path: "/admin/stream?token=\(TestAdmin.token)")
            try await stream.read(until: { $0.contains("event: stats") })
            _ = try await client.post("/broadcast", json: #"{"message": "streamed"}"#)
            let text = try await stream.read(until: { $0.contains("event: inspector") && $0.contains(#""status":"delivered""#) })
            #expect(text.contains("event: delivery"))
            #expect(text.contains(binID))
            try await stream.close()
        }
    }
}
