import HTTPTypes
import Configuration
import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import Logging

/// Configuration for a test app: loopback, port 0, a fresh temp data dir, quiet logs.
enum TestConfig {
    /// A reader with the test defaults, overridden by `overrides` (keys as in the README's table).
    static func reader(_ overrides: [String: ConfigContent] = [:]) -> ConfigReader {
        var values: [String: ConfigContent] = [
            "http.host": .string("127.0.0.1"),
            "http.port": .int(0),
            "data.dir": .string(temporaryDirectory()),
            "log.level": .string("warning"),
        ]
        values.merge(overrides) { $1 }
        return ConfigReader(provider: ConfigurationSources.inMemory(values))
    }

    /// A new empty directory under the system temp dir, unique to the caller.
    static func temporaryDirectory() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-tests-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// Builds the real app from `overrides` and runs `body` against it on a live port.
func withLiveApp<Result: Sendable>(
    _ overrides: [String: ConfigContent] = [:],
    _ body: @Sendable (any TestClientProtocol, Int) async throws -> Result
) async throws -> Result {
    let app = try await buildApplication(reader: TestConfig.reader(overrides))
    return try await app.test(.live) { client in try await body(client, client.port!) }
}

extension TestResponse {
    /// The body as a JSON object.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }

    /// `error.code` and `error.message` of a JSON error body.
    var error: (code: String, message: String)? {
        guard let error = json["error"] as? [String: Any], let code = error["code"] as? String, let message = error["message"] as? String
        else { return nil }
        return (code, message)
    }
}

extension TestClientProtocol {
    /// POSTs a JSON string.
    func post(_ path: String, json: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        headers[.contentType] = "application/json"
        return try await execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: json))
    }

    /// GETs a path.
    func get(_ path: String) async throws -> TestResponse {
        try await execute(uri: path, method: .get)
    }
}
