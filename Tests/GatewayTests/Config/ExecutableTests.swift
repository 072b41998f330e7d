import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The real `gateway` binary as an operator runs it: bad config stops it with one line; SIGTERM exits 0.
@Suite struct ExecutableTests {
    /// `gateway` is built next to the test bundle.
    private static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("gateway")
    }

    private func launch(_ arguments: [String], environment: [String: String] = [:]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GATEWAY_") }.merging(environment) { $1 }
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return (process, stderr)
    }

    @Test func aMalformedConfigFileStopsStartUpWithOneLine() async throws {
        let directory = TestConfig.temporaryDirectory()
        let file = directory + "/bad.json"
        try #"{"http": "#.write(toFile: file, atomically: true, encoding: .utf8)
        let (process, stderr) = try launch(["--config", file, "--data-dir", directory + "/data"])
        process.waitUntilExit()
        let output = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus != 0)
        let lines = output.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("gateway: invalid configuration: \(file)") == true)
    }

    @Test func anInvalidValueStopsStartUpNamingTheKey() async throws {
        let directory = TestConfig.temporaryDirectory()
        let (process, stderr) = try launch(["--data-dir", directory], environment: ["GATEWAY_BROADCAST_MAX_CONNECTIONS": "lots"])
        process.waitUntilExit()
        let output = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus != 0)
        #expect(output == "gateway: invalid configuration: broadcast.maxConnections: expected an integer\n")
    }

    /// `GET /webhooks/{id}` on the child server, returning the description.
    private func description(of id: String, port: Int) async throws -> String? {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/webhooks/\(id)")!)
        request.setValue("Bearer \(TestAdmin.token)", forHTTPHeaderField: "Authorization")
        let (data, _) = try await URLSession.shared.data(for: request)
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["description"] as? String
    }

    /// Reads the child's stderr until a line containing `marker` arrives; returns everything read.
    private func readUntil(_ marker: String, from pipe: Pipe, seen: inout String) {
        while !seen.contains(marker) {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { return }
            seen += String(decoding: chunk, as: UTF8.self)
        }
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
        let (process, stderr) = try launch(
            ["--host", "127.0.0.1", "--port", "0", "--data-dir", directory],
            environment: ["GATEWAY_AUTH_ADMIN_TOKEN": TestAdmin.token]
        )
        var seen = ""
        readUntil("Server started", from: stderr, seen: &seen)
        #expect(seen.contains("webhook.registry.loaded=1"))
        let port = try #require(seen.split(separator: "127.0.0.1:").last.flatMap { Int($0.prefix { $0.isNumber }) })
        #expect(try await description(of: id, port: port) == "before")
        try document("after").write(toFile: "\(webhooks)/\(id).json", atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        readUntil("reloaded on SIGHUP", from: stderr, seen: &seen)
        #expect(try await description(of: id, port: port) == "after")
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test func theServersMetricsIncludeHummingbirdsRequestMetrics() async throws {
        let directory = TestConfig.temporaryDirectory()
        let (process, stderr) = try launch(["--host", "127.0.0.1", "--port", "0", "--data-dir", directory])
        defer {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        var seen = ""
        readUntil("Server started", from: stderr, seen: &seen)
        let port = try #require(seen.split(separator: "127.0.0.1:").last.flatMap { Int($0.prefix { $0.isNumber }) })
        _ = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/health")!)
        let (body, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/metrics")!)
        let text = String(decoding: body, as: UTF8.self)
        // swift-metrics' global system points at the same registry: Hummingbird's `hb.requests`, made a valid name.
        #expect(text.contains("hb_requests{"), "\(text.prefix(2000))")
        #expect(text.contains("gateway_ws_connections 0"))
    }

    @Test func sigtermStopsTheServerWithExitCodeZero() async throws {
        let directory = TestConfig.temporaryDirectory()
        let (process, stderr) = try launch(["--host", "127.0.0.1", "--port", "0", "--data-dir", directory, "--log-format", "json"])
        // Wait for the "listening" log line: the event, not a sleep.
        var seen = ""
        readUntil("Server started", from: stderr, seen: &seen)
        #expect(seen.contains(#""level":"info""#))
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
    }
}
