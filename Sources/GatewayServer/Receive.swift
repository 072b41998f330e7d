import ArgumentParser
import Gateway
import Hummingbird
import Logging
import Synchronization
import WebhookVerifier

import Foundation

/// `gateway receive`: a local webhook receiver that verifies each delivery's Standard Webhooks
/// signature and prints one line per request; `--fail N` answers 500 to the first N attempts of every
/// `webhook-id`, to watch the gateway retry.
struct Receive: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a local webhook receiver that verifies signatures and prints each delivery.",
        discussion: """
            Point a webhook at http://127.0.0.1:PORT/ (the gateway needs webhooks.allowedNetworks to include \
            127.0.0.0/8 for that). Each line: time, webhook-id, attempt number, event type, verification \
            result, the status answered. Answers 200 to verified deliveries, 401 to the rest.
            """
    )

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one; the first line names it).") var port = 8001
    @Option(help: "The subscription's secret (whsec_…), to verify signatures.") var secret: String
    @Option(help: "Answer 500 to the first N attempts of each webhook-id.") var fail = 0

    func run() async throws {
        let verifier: WebhookVerifier
        do {
            verifier = try WebhookVerifier(secret: secret)
        } catch {
            throw ValidationError("--secret: \(error)")
        }
        let attempts = Mutex<[String: Int]>([:])
        let failFirst = fail
        let router = Router()
        router.post("**") { request, _ -> HTTPResponse.Status in
            let body = Array(try await request.body.collect(upTo: 1 << 20).readableBytesView)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let id = headers["webhook-id"] ?? "-"
            let attempt = attempts.withLock { counts in
                counts[id, default: 0] += 1
                return counts[id]!
            }
            let type = ((try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any])?["type"] as? String ?? "?"
            let verdict: String
            let status: HTTPResponse.Status
            do {
                try verifier.verify(body: body, headers: headers)
                verdict = "verified"
                status = attempt <= failFirst ? .internalServerError : .ok
            } catch {
                verdict = "REJECTED (\(error))"
                status = .unauthorized
            }
            Self.line("\(ISO8601.string(from: Date())) \(id) attempt \(attempt) \(type) \(verdict) -> \(status.code)")
            return status
        }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "gateway-receive"),
            onServerRunning: { channel in Self.line("listening on http://\(host):\(channel.localAddress?.port ?? port)/") },
            logger: Logger(label: "receive", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        try await app.runService()
    }

    /// Writes one line to stdout at once (unbuffered, so a pipe sees each delivery as it happens).
    private static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
