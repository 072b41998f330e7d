import ArgumentParser
import Gateway

import Foundation

/// `gateway api demo`: the seed's automated demo: health, stats, broadcasts and, with a receiver, a
/// webhook that gets them; cleans up after itself and prints a summary.
struct APIDemo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Automated tour: health, stats, broadcasts, and (with --receiver) a webhook that receives them.",
        discussion: """
            With --receiver the demo registers that URL for message-broadcast (admin token needed), waits \
            up to --wait seconds for the broadcasts' deliveries, lists them, and removes the webhook again, \
            even when a step fails. It prints a narrative (--json does not change it) and exits 0 when every \
            step worked and every delivery was delivered.

            Examples:
              gateway api demo
              SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
              gateway receive --secret $SECRET &
              gateway api demo --receiver http://127.0.0.1:8001/ --secret $SECRET
            """
    )

    @OptionGroup var options: APIOptions
    @Option(help: "A URL to register as a webhook for the demo's broadcasts (default: no webhook part).") var receiver: String?
    @Option(help: "The webhook's signing secret (default: generated), e.g. the one given to gateway receive.") var secret: String?
    @Option(help: "How many broadcasts to send.") var count = 3
    @Option(help: "Seconds to wait for the deliveries.") var wait: Double = 10

    func validate() throws {
        guard (1...100).contains(count) else { throw ValidationError("--count: must be from 1 to 100") }
        guard (0...3600).contains(wait) else { throw ValidationError("--wait: must be from 0 to 3600 seconds") }
    }

    func run() async throws {
        try await options.perform { client, output in
            let (health, ready) = try await APIHealth.check(client)
            output.line("health: \(health["health"]?["status"]?.text ?? "?"), \(ready ? "ready" : "NOT ready")")
            let before = try await client.get("/stats")
            output.line("stats: \(before["total_messages_sent"]?.text ?? "?") messages sent, \(before["active_connections"]?.text ?? "?") clients")
            var webhook: String?
            if let receiver {
                var body: [String: JSONValue] = ["url": .string(receiver), "events": ["message-broadcast"], "description": "gateway api demo"]
                if let secret { body["secret"] = .string(secret) }
                let created = try await client.post("/webhooks", body: .object(body))
                webhook = created["id"]?.string
                output.line("webhook \(webhook ?? "?") registered for message-broadcast -> \(receiver)")
            }
            do {
                try await tour(client, output: output, before: before, webhook: webhook)
            } catch {
                if let webhook { try? await client.delete(APIWebhooks.path(webhook)) }
                throw error
            }
        }
    }

    /// The broadcasts, the deliveries and the summary; removes `webhook` at the end.
    private func tour(_ client: APIHTTPClient, output: APIOutput, before: JSONValue, webhook: String?) async throws {
        for index in 1...count {
            let answer = try await APIBroadcast.send(client, text: "Demo message \(index) of \(count)", sender: "gateway api demo")
            output.line("broadcast \(index)/\(count): \(answer["message"]?.text ?? "sent")")
        }
        var delivered = 0
        if let webhook {
            let page = try await waitForDeliveries(client, webhook: webhook)
            let data = page["data"]?.array ?? []
            delivered = data.filter { $0["status"]?.string == "delivered" }.count
            output.line("deliveries to \(webhook): \(delivered) of \(count) delivered")
            output.write(APIRendering.deliveryPage(page))
            try await client.delete(APIWebhooks.path(webhook))
            output.line("webhook \(webhook) removed")
        }
        let after = try await client.get("/stats")
        var summary = "summary: \(count) broadcasts; total_messages_sent \(before["total_messages_sent"]?.text ?? "?") -> "
            + "\(after["total_messages_sent"]?.text ?? "?")"
        if webhook != nil { summary += "; \(delivered) of \(count) deliveries delivered" }
        output.line(summary)
        if webhook != nil, delivered < count {
            output.error("\(count - delivered) of \(count) deliveries were not delivered within \(wait) s (see gateway api deliveries list)")
            throw ExitCode(1)
        }
    }

    /// The webhook's deliveries once all `count` settled (delivered or dead), or as they are after `wait` seconds.
    private func waitForDeliveries(_ client: APIHTTPClient, webhook: String) async throws -> JSONValue {
        let deadline = ContinuousClock.now + .milliseconds(Int(wait * 1000))
        while true {
            let page = try await client.get(APIWebhooks.path(webhook, "/deliveries"), query: [("limit", "500")])
            let settled = (page["data"]?.array ?? []).filter { ["delivered", "dead"].contains($0["status"]?.string ?? "") }
            if settled.count >= count || ContinuousClock.now >= deadline { return page }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
