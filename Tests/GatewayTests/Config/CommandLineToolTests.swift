import Configuration
import Foundation
import HummingbirdTesting
import Testing

/// `gateway token` and `gateway receive`, run as the real binary.
@Suite struct CommandLineToolTests {
    private static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("gateway")
    }

    /// Starts `gateway arguments…` with stdout on a pipe.
    private func launch(_ arguments: [String]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GATEWAY_") }
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        return (process, stdout)
    }

    /// Runs `gateway arguments…` to the end and returns its stdout.
    private func output(_ arguments: [String]) throws -> (status: Int32, text: String) {
        let (process, stdout) = try launch(arguments)
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func tokenPrintsTheStoredTokenCreatesItOnceAndRotates() throws {
        let directory = TestConfig.temporaryDirectory()
        let first = try output(["token", "--data-dir", directory])
        #expect(first.status == 0)
        #expect(first.text.hasPrefix("gw_"))
        let file = directory + "/admin-token"
        let permissions = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        #expect(try output(["token", "--data-dir", directory]).text == first.text)
        let rotated = try output(["token", "--data-dir", directory, "--rotate"])
        #expect(rotated.text.hasPrefix("gw_") && rotated.text != first.text)
        #expect(try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == rotated.text)
    }

    @Test func receiveVerifiesRealDeliveriesAndFailsTheFirstAttemptsWhenAsked() async throws {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        let (receiver, stdout) = try launch(["receive", "--port", "0", "--secret", secret, "--fail", "1"])
        defer {
            receiver.terminate()
            receiver.waitUntilExit()
        }
        let lines = LineReader(stdout)
        let listening = try await lines.next(containing: "listening on ")
        let url = try #require(listening.split(separator: " ").last.map(String.init))
        try await withLiveApp(deliveryOverrides()) { client, _ in
            _ = try await client.createWebhook(#"{"url": "\#(url)hook", "events": ["message-broadcast"], "secret": "\#(secret)"}"#)
            _ = try await client.post("/broadcast", json: #"{"message": "to the receive command"}"#)
            let first = try await lines.next(containing: "message-broadcast")
            #expect(first.contains("attempt 1") && first.contains("verified") && first.hasSuffix("-> 500"), "\(first)")
            let second = try await lines.next(containing: "message-broadcast")
            #expect(second.contains("attempt 2") && second.contains("verified") && second.hasSuffix("-> 200"), "\(second)")
            let id = first.split(separator: " ")[1]
            #expect(second.split(separator: " ")[1] == id, "the same webhook-id on the retry")
        }
    }
}

/// Reads a child's stdout line by line off the cooperative pool, with a bounded wait per line.
private final class LineReader: Sendable {
    private let lines = TestMailbox<String>()

    init(_ pipe: Pipe) {
        let lines = self.lines
        Thread.detachNewThread {
            var buffer = ""
            while true {
                let chunk = pipe.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                buffer += String(decoding: chunk, as: UTF8.self)
                while let newline = buffer.firstIndex(of: "\n") {
                    lines.push(String(buffer[..<newline]))
                    buffer = String(buffer[buffer.index(after: newline)...])
                }
            }
            lines.finish()
        }
    }

    func next(containing text: String, within timeout: Duration = .seconds(15)) async throws -> String {
        while true {
            guard let line = try await lines.next(within: timeout) else { throw TestFailure("output ended before a line with \(text)") }
            if line.contains(text) { return line }
        }
    }
}
