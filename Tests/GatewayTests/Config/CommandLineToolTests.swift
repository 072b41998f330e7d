import Configuration
import Foundation
import HummingbirdTesting
import Testing

/// `gateway token` and `gateway receive`, run as the real binary.
@Suite struct CommandLineToolTests {
    /// Runs `gateway arguments…` to the end and returns its stdout (off the cooperative pool: see ``GatewayProcess``).
    private func output(_ arguments: [String]) async throws -> (status: Int32, text: String) {
        let process = try GatewayProcess(arguments)
        let text = try await process.allOutput()
        return (try await process.exitStatus(), text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func tokenPrintsTheStoredTokenCreatesItOnceAndRotates() async throws {
        let directory = TestConfig.temporaryDirectory()
        let first = try await output(["token", "--data-dir", directory])
        #expect(first.status == 0)
        #expect(first.text.hasPrefix("gw_"))
        let file = directory + "/admin-token"
        let permissions = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        #expect(try await output(["token", "--data-dir", directory]).text == first.text)
        let rotated = try await output(["token", "--data-dir", directory, "--rotate"])
        #expect(rotated.text.hasPrefix("gw_") && rotated.text != first.text)
        #expect(try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == rotated.text)
    }

    @Test func receiveVerifiesRealDeliveriesAndFailsTheFirstAttemptsWhenAsked() async throws {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        let receiver = try GatewayProcess(["receive", "--port", "0", "--secret", secret, "--fail", "1"])
        defer { receiver.kill() }
        let listening = try await receiver.line(containing: "listening on ")
        let url = try #require(listening.split(separator: " ").last.map(String.init))
        try await withLiveApp(deliveryOverrides()) { client, _ in
            _ = try await client.createWebhook(#"{"url": "\#(url)hook", "events": ["message-broadcast"], "secret": "\#(secret)"}"#)
            _ = try await client.post("/broadcast", json: #"{"message": "to the receive command"}"#)
            let first = try await receiver.line(containing: "message-broadcast")
            #expect(first.contains("attempt 1") && first.contains("verified") && first.hasSuffix("-> 500"), "\(first)")
            let second = try await receiver.line(containing: "message-broadcast")
            #expect(second.contains("attempt 2") && second.contains("verified") && second.hasSuffix("-> 200"), "\(second)")
            let id = first.split(separator: " ")[1]
            #expect(second.split(separator: " ")[1] == id, "the same webhook-id on the retry")
        }
    }
}
