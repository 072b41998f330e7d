import Configuration
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore

/// The admin token every test app is configured with, and requests that carry it.
enum TestAdmin {
    static let token = "test-admin-token"
    static let authorization: HTTPFields = [.authorization: "Bearer \(token)"]
    /// Config for a registry test app: the token, and loopback receivers allowed.
    static let overrides: [String: ConfigContent] = [
        "auth.adminToken": .string(token),
        "webhooks.allowedNetworks": .stringArray(["127.0.0.0/8", "::1/128"]),
    ]
}

extension TestClientProtocol {
    /// A request with the admin token and an optional JSON body.
    func admin(_ method: HTTPRequest.Method, _ path: String, json: String? = nil, headers: HTTPFields = [:]) async throws -> TestResponse {
        var all = TestAdmin.authorization
        all.append(contentsOf: headers)
        if json != nil { all[.contentType] = "application/json" }
        return try await execute(uri: path, method: method, headers: all, body: json.map { ByteBuffer(string: $0) })
    }

    /// Creates a subscription and returns its JSON.
    func createWebhook(_ json: String = #"{"url": "https://hooks.example/in"}"#) async throws -> [String: Any] {
        let response = try await admin(.post, "/webhooks", json: json)
        guard response.status == .created else { throw TestFailure("create answered \(response.status): \(String(buffer: response.body))") }
        return response.json
    }
}
