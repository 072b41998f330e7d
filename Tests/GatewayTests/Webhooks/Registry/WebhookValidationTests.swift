import Configuration
import Foundation
import Gateway
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Every validation rule answers 422 naming the field; auth answers 401.
@Suite struct WebhookValidationTests {
    static let badBodies: [(String, String)] = [
        (#"{}"#, "url"),
        (#"{"url": "ftp://h.example/x"}"#, "url"),
        (#"{"url": "/relative"}"#, "url"),
        (#"{"url": "https:///nohost"}"#, "url"),
        (#"{"url": "https://h.example/x#frag"}"#, "url"),
        (#"{"url": "https://user:pw@h.example/x"}"#, "url"),
        (#"{"url": "https://h.example/a b"}"#, "url"),
        (#"{"url": "https://0.com*"}"#, "url"),
        (#"{"url": "HTTpS://[CdAE63537a3.301]"}"#, "url"),
        (#"{"url": "https://-bad-.example/x"}"#, "url"),
        (#"{"url": "https://h.example/\#(String(repeating: "a", count: 2100))"}"#, "url"),
        (#"{"url": "http://10.1.2.3/x"}"#, "url"),
        (#"{"url": "http://[fe80::1]/x"}"#, "url"),
        (#"{"url": "http://169.254.169.254/latest"}"#, "url"),
        (#"{"url": "https://h.example/x", "events": []}"#, "events"),
        (#"{"url": "https://h.example/x", "events": ["no-such-event"]}"#, "events"),
        (#"{"url": "https://h.example/x", "secret": "nope"}"#, "secret"),
        (#"{"url": "https://h.example/x", "secret": "whsec_c2hvcnQ="}"#, "secret"),
        (#"{"url": "https://h.example/x", "headers": {"Host": "evil"}}"#, "headers"),
        (#"{"url": "https://h.example/x", "headers": {"webhook-signature": "x"}}"#, "headers"),
        (#"{"url": "https://h.example/x", "headers": {"Transfer-Encoding": "chunked"}}"#, "headers"),
        (#"{"url": "https://h.example/x", "headers": {"bad name": "x"}}"#, "headers"),
        (#"{"url": "https://h.example/x", "headers": {"X-A": "line\nbreak"}}"#, "headers"),
        (#"{"url": "https://h.example/x", "description": "\#(String(repeating: "d", count: 1100))"}"#, "description"),
        (#"{"url": "https://h.example/x", "metadata": {"": "v"}}"#, "metadata"),
        (#"{"url": "https://h.example/x", "delivery": {"max_in_flight": 0}}"#, "delivery.max_in_flight"),
        (#"{"url": "https://h.example/x", "delivery": {"rate_limit_per_second": -1}}"#, "delivery.rate_limit_per_second"),
        (#"{"url": "https://h.example/x", "delivery": {"ordering": "random"}}"#, "delivery.ordering"),
        (#"{"url": 5}"#, "url"),
    ]

    @Test(arguments: badBodies)
    func invalidSubscriptionsAre422NamingTheField(body: String, field: String) async throws {
        try await withLiveApp(["auth.adminToken": .string(TestAdmin.token)]) { client, _ in
            let response = try await client.admin(.post, "/webhooks", json: body)
            #expect(response.status == .unprocessableContent)
            #expect(response.error?.code == "invalid_field")
            #expect(response.error?.message.hasPrefix(field + ":") == true, "\(response.error?.message ?? "")")
        }
    }

    @Test func loopbackIsRefusedWithoutTheAllowListAndAcceptedWithIt() async throws {
        let body = #"{"url": "http://127.0.0.1:9/hook"}"#
        try await withLiveApp(["auth.adminToken": .string(TestAdmin.token)]) { client, _ in
            let refused = try await client.admin(.post, "/webhooks", json: body)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.error?.message.contains("webhooks.allowedNetworks") == true)
            let named = try await client.admin(.post, "/webhooks", json: #"{"url": "http://localhost:9/hook"}"#)
            #expect(named.status == .unprocessableContent)
        }
        try await withLiveApp(TestAdmin.overrides) { client, _ in
            let allowed = try await client.admin(.post, "/webhooks", json: body)
            #expect(allowed.status == .created)
        }
    }

    @Test func httpsCanBeRequired() async throws {
        try await withLiveApp(["auth.adminToken": .string(TestAdmin.token), "webhooks.requireHttps": .bool(true)]) { client, _ in
            let response = try await client.admin(.post, "/webhooks", json: #"{"url": "http://h.example/x"}"#)
            #expect(response.error?.message.contains("https") == true)
        }
    }

    @Test func theSubscriptionCountIsLimited() async throws {
        try await withLiveApp(["auth.adminToken": .string(TestAdmin.token), "webhooks.maxSubscriptions": .int(2)]) { client, _ in
            _ = try await client.createWebhook()
            _ = try await client.createWebhook()
            let third = try await client.admin(.post, "/webhooks", json: #"{"url": "https://h.example/3"}"#)
            #expect(third.status == .unprocessableContent)
            #expect(third.error?.message.hasPrefix("subscriptions:") == true)
        }
    }

    @Test func adminRoutesNeedTheBearerToken() async throws {
        try await withLiveApp(TestAdmin.overrides) { client, _ in
            let missing = try await client.get("/webhooks")
            #expect(missing.status == .unauthorized)
            #expect(missing.headers[.wwwAuthenticate] == "Bearer")
            #expect(missing.error?.code == "unauthorized")
            let wrong = try await client.execute(uri: "/webhooks", method: .get, headers: [.authorization: "Bearer nope"])
            #expect(wrong.status == .unauthorized)
            #expect(try await client.admin(.get, "/webhooks").status == .ok)
            // Open by default, as in the seed.
            #expect(try await client.get("/health").status == .ok)
            #expect(try await client.post("/broadcast", json: #"{"message": "x"}"#).status == .ok)
        }
    }

    @Test func broadcastCanBePutBehindTheToken() async throws {
        var overrides = TestAdmin.overrides
        overrides["auth.protectBroadcast"] = .bool(true)
        try await withLiveApp(overrides) { client, _ in
            let open = try await client.post("/broadcast", json: #"{"message": "x"}"#)
            let authorized = try await client.admin(.post, "/broadcast", json: #"{"message": "x"}"#)
            #expect(open.status == .unauthorized)
            #expect(authorized.status == .ok)
        }
    }

    @Test func secretsAndTheTokenNeverReachTheLogsOrTheList() async throws {
        let recorder = LogRecorder()
        var overrides = TestAdmin.overrides
        overrides["log.level"] = .string("trace")
        let app = try await buildApplication(reader: TestConfig.reader(overrides), logHandler: recorder.factory)
        let secret = try await app.test(.live) { client in
            let created = try await client.createWebhook()
            let id = try #require(created["id"] as? String)
            _ = try await client.admin(.post, "/webhooks/\(id)/rotate-secret")
            let list = try await client.admin(.get, "/webhooks")
            #expect(!String(buffer: list.body).contains("whsec_"))
            return try #require(created["secret"] as? String)
        }
        let logs = recorder.all.joined(separator: "\n")
        #expect(logs.contains("Subscription created"))
        #expect(!logs.contains(secret))
        #expect(!logs.contains("whsec_"))
        #expect(!logs.contains(TestAdmin.token))
    }
}
