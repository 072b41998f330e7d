import Foundation
import Gateway
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real binary, killed with SIGKILL mid-delivery and restarted on the same data dir, delivers
/// every accepted event; a repeat carries the same `webhook-id`.
@Suite struct CrashRecoveryTests {
    /// Starts the gateway on a free port; returns it and its port.
    private func start(dataDir: String) async throws -> (GatewayProcess, Int) {
        let gateway = try GatewayProcess(
            ["--host", "127.0.0.1", "--port", "0", "--data-dir", dataDir],
            environment: [
                "GATEWAY_AUTH_ADMIN_TOKEN": TestAdmin.token,
                "GATEWAY_WEBHOOKS_ALLOWED_NETWORKS": "127.0.0.0/8",
                // Fifty attempts 0.2 s apart: no event may exhaust its retries (and die) before the crash, even when
                // a loaded CI machine takes seconds to accept the 40 events; a 1-second budget did once.
                "GATEWAY_DELIVERIES_RETRY_SCHEDULE": (["0"] + Array(repeating: "0.2", count: 49)).joined(separator: ","),
                "GATEWAY_DELIVERIES_MINIMUM_THROTTLE_SECONDS": "0.05",
                "GATEWAY_DELIVERIES_BREAKER_THRESHOLD": "1000",
            ]
        )
        return (gateway, try await gateway.serverPort())
    }

    private func post(_ path: String, port: Int, json: String) async throws -> Int {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = "POST"
        request.httpBody = Data(json.utf8)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("Bearer \(TestAdmin.token)", forHTTPHeaderField: "Authorization")
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    @Test func everyAcceptedEventIsDeliveredAfterSIGKILLAndRestart() async throws {
        let receiver = WebhookReceiver()
        // Before the crash: a few succeed, then the receiver is down (503) so most stay pending.
        receiver.script("/crash", Array(repeating: .status(200), count: 5) + Array(repeating: .status(503), count: 100_000))
        let dataDir = TestConfig.temporaryDirectory()
        try await receiver.run { receiverPort in
            let (first, port) = try await start(dataDir: dataDir)
            let created = try await post("/webhooks", port: port, json: #"{"url": "http://127.0.0.1:\#(receiverPort)/crash", "events": ["message-broadcast"]}"#)
            #expect(created == 201)
            let total = 40
            for index in 0..<total {
                #expect(try await post("/broadcast", port: port, json: #"{"message": "event-\#(index)"}"#) == 200)
            }
            _ = try await receiver.requests.next(within: .seconds(10))
            first.kill()
            #expect(try await first.ended().bySignal)

            receiver.script("/crash", [])
            let boundary = receiver.received.count
            let (second, _) = try await start(dataDir: dataDir)
            defer { second.kill() }
            // Delivered = answered 200: the first five before the crash, everything after the restart.
            func delivered() -> Set<String> {
                let all = receiver.received
                return Set((all.prefix(5) + all[boundary...]).compactMap { $0.data["message"] as? String })
            }
            while delivered().count < total {
                guard try await receiver.requests.next(within: .seconds(20)) != nil else { break }
            }
            var idsByMessage: [String: Set<String>] = [:]
            for request in receiver.received {
                idsByMessage[request.data["message"] as? String ?? "", default: []].insert(request.headers["webhook-id"] ?? "")
            }
            let delivered = delivered()
            #expect(delivered.count == total)
            #expect(idsByMessage.values.allSatisfy { $0.count == 1 }, "a repeated event must keep its webhook-id")
        }
    }
}
