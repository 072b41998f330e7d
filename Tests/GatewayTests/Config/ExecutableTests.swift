import Foundation
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

    @Test func sigtermStopsTheServerWithExitCodeZero() async throws {
        let directory = TestConfig.temporaryDirectory()
        let (process, stderr) = try launch(["--host", "127.0.0.1", "--port", "0", "--data-dir", directory, "--log-format", "json"])
        // Wait for the "listening" log line: the event, not a sleep.
        var seen = ""
        while !seen.contains("Server started") {
            let chunk = stderr.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        #expect(seen.contains(#""level":"info""#))
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
    }
}
