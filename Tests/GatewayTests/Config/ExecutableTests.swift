import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The real `gateway` binary as an operator runs it: bad config stops it with one line; SIGTERM exits 0.
@Suite struct ExecutableTests {
    /// `gateway arguments…` with `environment` (and none of the caller's `GATEWAY_*` variables).
    private func launch(_ arguments: [String], environment: [String: String] = [:]) throws -> GatewayProcess {
        try GatewayProcess(arguments, environment: environment)
    }

    @Test func aMalformedConfigFileStopsStartUpWithOneLine() async throws {
        let directory = TestConfig.temporaryDirectory()
        let file = directory + "/bad.json"
        try #"{"http": "#.write(toFile: file, atomically: true, encoding: .utf8)
        let process = try launch(["--config", file, "--data-dir", directory + "/data"])
        #expect(try await process.exitStatus() != 0)
        let output = process.errorOutput
        let lines = output.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("gateway: invalid configuration: \(file)") == true)
    }

    @Test func anInvalidValueStopsStartUpNamingTheKey() async throws {
        let directory = TestConfig.temporaryDirectory()
        let process = try launch(["--data-dir", directory], environment: ["GATEWAY_BROADCAST_MAX_CONNECTIONS": "lots"])
        #expect(try await process.exitStatus() != 0)
        let output = process.errorOutput
        #expect(output == "gateway: invalid configuration: broadcast.maxConnections: expected an integer\n")
    }

    /// `GET /webhooks/{id}` on the child server, returning the description.
    private func description(of id: String, port: Int) async throws -> String? {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/webhooks/\(id)")!)
        request.setValue("Bearer \(TestAdmin.token)", forHTTPHeaderField: "Authorization")
        let (data, _) = try await URLSession.shared.data(for: request)
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["description"] as? String
    }

    @Test func sighupReloadsSubscriptionFilesEditedByAnOperator() async throws {
        let directory = TestConfig.temporaryDirectory()
        let webhooks = directory + "/webhooks"
        try FileManager.default.createDirectory(atPath: webhooks, withIntermediateDirectories: true)
        let id = "wh_01JDQ8Z6X3M4N5P6Q7R8S9T0VW"
        let secret = "whsec_" + Data(repeating: 1, count: 32).base64EncodedString()
        func document(_ description: String) -> String {
            #"{"version": 1, "id": "\#(id)", "url": "https://h.example/x", "events": ["*"], "description": "\#(description)", "#
                + #""secret": "\#(secret)", "created_at": "2026-11-29T00:00:00Z", "updated_at": "2026-11-29T00:00:00Z"}"#
        }
        try document("before").write(toFile: "\(webhooks)/\(id).json", atomically: true, encoding: .utf8)
        let process = try launch(
            ["--host", "127.0.0.1", "--port", "0", "--data-dir", directory],
            environment: ["GATEWAY_AUTH_ADMIN_TOKEN": TestAdmin.token]
        )
        let port = try await process.serverPort()
        #expect(process.errorOutput.contains("webhook.registry.loaded=1"))
        #expect(try await description(of: id, port: port) == "before")
        try document("after").write(toFile: "\(webhooks)/\(id).json", atomically: true, encoding: .utf8)
        process.send(signal: SIGHUP)
        _ = try await process.errorOutput(containing: "reloaded on SIGHUP")
        #expect(try await description(of: id, port: port) == "after")
        process.send(signal: SIGTERM)
        #expect(try await process.exitStatus() == 0)
    }

    @Test func theServersMetricsIncludeHummingbirdsRequestMetrics() async throws {
        let directory = TestConfig.temporaryDirectory()
        let process = try launch(["--host", "127.0.0.1", "--port", "0", "--data-dir", directory])
        defer { process.kill() }
        let port = try await process.serverPort()
        _ = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/health")!)
        let (body, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/metrics")!)
        let text = String(decoding: body, as: UTF8.self)
        // swift-metrics' global system points at the same registry: Hummingbird's `hb.requests`, made a valid name.
        #expect(text.contains("hb_requests{"), "\(text.prefix(2000))")
        #expect(text.contains("gateway_ws_connections 0"))
    }

    @Test func sigtermStopsTheServerWithExitCodeZero() async throws {
        let directory = TestConfig.temporaryDirectory()
        let process = try launch(["--host", "127.0.0.1", "--port", "0", "--data-dir", directory, "--log-format", "json"])
        // Wait for the "listening" log line: the event, not a sleep.
        let seen = try await process.errorOutput(containing: "Server started")
        #expect(seen.contains(#""level":"info""#))
        process.send(signal: SIGTERM)
        let ended = try await process.ended()
        #expect(!ended.bySignal)
        #expect(ended.status == 0)
    }
}
