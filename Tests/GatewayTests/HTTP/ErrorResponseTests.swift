import HTTPTypes
import Configuration
import Gateway
import HummingbirdTesting
import Testing

/// Bad input gets a clear JSON error with the right status, and never takes the server down.
@Suite struct ErrorResponseTests {
    @Test(arguments: [
        (#"{"message": "#, 400, "malformed_json", ""),
        (#"[1, 2]"#, 422, "invalid_field", ""),
        (#"{}"#, 422, "invalid_field", "message"),
        (#"{"message": 7}"#, 422, "invalid_field", "message"),
        (#"{"message": ""}"#, 422, "invalid_field", "message"),
        (#"{"message": "x", "sender": false}"#, 422, "invalid_field", "sender"),
        (#"{"message": "x", "message_type": ""}"#, 422, "invalid_field", "message_type"),
    ])
    func badBroadcastBodiesAreRejected(body: String, status: Int, code: String, field: String) async throws {
        try await withLiveApp { client, _ in
            let response = try await client.post("/broadcast", json: body)
            #expect(response.status.code == status)
            let error = try #require(response.error)
            #expect(error.code == code)
            #expect(error.message.hasPrefix(field))
            // The server is still up and serving.
            #expect(try await client.get("/health").status == .ok)
        }
    }

    @Test func specificBroadcastNeedsRecipients() async throws {
        try await withLiveApp { client, _ in
            let response = try await client.post("/broadcast/specific", json: #"{"message": "x"}"#)
            #expect(response.status == .unprocessableContent)
            #expect(response.error?.message.hasPrefix("client_ids") == true)
        }
    }

    @Test func tooLargeBodyIs413() async throws {
        try await withLiveApp(["http.maxBodyBytes": .int(2048)]) { client, _ in
            let response = try await client.post("/broadcast", json: #"{"message": "\#(String(repeating: "x", count: 5000))"}"#)
            #expect(response.status == .contentTooLarge)
            #expect(response.error?.code == "payload_too_large")
        }
    }

    @Test func unknownRouteIs404AndWrongMethodIs405() async throws {
        try await withLiveApp { client, _ in
            let missing = try await client.get("/nope")
            #expect(missing.status == .notFound)
            #expect(missing.error?.code == "not_found")
            let wrongMethod = try await client.execute(uri: "/broadcast", method: .get)
            #expect(wrongMethod.status == .methodNotAllowed)
            #expect(wrongMethod.headers[.allow] == "POST")
            #expect(wrongMethod.error?.code == "method_not_allowed")
        }
    }

    @Test func wrongMethodOnAParameterisedPathOrHEADIs405WithAllow() async throws {
        try await withLiveApp(TestAdmin.overrides) { client, _ in
            let put = try await client.execute(uri: "/webhooks/wh_123", method: .put, headers: [.authorization: "Bearer \(TestAdmin.token)"])
            #expect(put.status == .methodNotAllowed)
            #expect(put.headers[.allow] == "DELETE, GET, PATCH")
            let head = try await client.execute(uri: "/health", method: .head)
            #expect(head.status == .methodNotAllowed)
            #expect(head.headers[.allow] == "GET")
        }
    }

    @Test func jsonThatIsNotTheExpectedShapeIs422NotMalformed() async throws {
        try await withLiveApp { client, _ in
            let fraction = try await client.post("/broadcast/specific", json: #"{"message": "x", "client_indices": [1.5]}"#)
            #expect(fraction.status == .unprocessableContent)
            #expect(fraction.error?.message.hasPrefix("body: a number does not fit") == true)
            let array = try await client.post("/broadcast", json: "[]")
            #expect(array.status == .unprocessableContent)
            #expect(array.error?.message == "body: must be a JSON object")
            let broken = try await client.post("/broadcast", json: #"{"message": "#)
            #expect(broken.status == .badRequest)
            #expect(broken.error?.code == "malformed_json")
        }
    }

    @Test func plainGetOnTheWebSocketPathIs426() async throws {
        try await withLiveApp { client, _ in
            let response = try await client.get("/ws")
            #expect(response.status == .upgradeRequired)
            #expect(response.error?.code == "upgrade_required")
        }
    }

    @Test func corsHeadersFollowConfiguration() async throws {
        try await withLiveApp(["http.cors.allowOrigin": .string("https://app.example")]) { client, _ in
            let response = try await client.execute(uri: "/health", method: .get, headers: [.origin: "https://app.example"])
            #expect(response.headers[.accessControlAllowOrigin] == "https://app.example")
            let error = try await client.execute(uri: "/nope", method: .get, headers: [.origin: "https://app.example"])
            #expect(error.headers[.accessControlAllowOrigin] == "https://app.example")
        }
        try await withLiveApp(["http.cors.allowOrigin": .string("")]) { client, _ in
            let response = try await client.execute(uri: "/health", method: .get, headers: [.origin: "https://app.example"])
            #expect(response.headers[.accessControlAllowOrigin] == nil)
        }
    }
}
