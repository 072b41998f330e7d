import Configuration
import Foundation
import Gateway
import WebhookVerifier
import HTTPTypes
import HummingbirdTesting
import NIOCore

/// Config for an app that delivers to a loopback receiver quickly: allow-list, fast retries.
func deliveryOverrides(_ extra: [String: ConfigContent] = [:]) -> [String: ConfigContent] {
    var values = TestAdmin.overrides
    values["deliveries.retrySchedule"] = .stringArray(["0", "0.05", "0.05", "0.05", "0.05", "0.05"])
    values["deliveries.jitterPercent"] = .int(0)
    values["deliveries.minimumThrottleSeconds"] = .double(0.05)
    values["deliveries.timeoutSeconds"] = .double(2)
    values["deliveries.breakerThreshold"] = .int(100)
    values["journal.durability"] = .string("batch")
    values["deliveries.shutdownGraceSeconds"] = .double(0.5)
    values.merge(extra) { $1 }
    return values
}

extension TestClientProtocol {
    /// Registers `url` for `events` and returns (id, secret).
    func subscribe(_ url: String, events: [String] = ["*"], extra: String = "") async throws -> (id: String, secret: String) {
        let list = events.map { "\"\($0)\"" }.joined(separator: ",")
        let created = try await createWebhook(#"{"url": "\#(url)", "events": [\#(list)]\#(extra)}"#)
        guard let id = created["id"] as? String, let secret = created["secret"] as? String else { throw TestFailure("no id/secret") }
        return (id, secret)
    }
}

extension WebhookReceiver.Received {
    /// Whether the delivery verifies with `secret` through the `WebhookVerifier` library a Swift receiver
    /// would use: signature, and a timestamp within 5 minutes of now.
    func isSigned(with secret: String) -> Bool {
        guard let verifier = try? WebhookVerifier(secret: secret) else { return false }
        let names = ["webhook-id", "webhook-timestamp", "webhook-signature"]
        let signed = Dictionary(uniqueKeysWithValues: names.compactMap { name in headers[name].map { (name, $0) } })
        return (try? verifier.verify(body: body, headers: signed)) != nil
    }

    /// The body's `type`.
    var eventType: String? { json["type"] as? String }

    /// The body's `data`.
    var data: [String: Any] { json["data"] as? [String: Any] ?? [:] }

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
}

extension TestMailbox where Element == WebhookReceiver.Received {
    /// The next request of event `type`, skipping others.
    func next(type: String, within timeout: Duration = .seconds(10)) async throws -> WebhookReceiver.Received {
        while true {
            guard let request = try await next(within: timeout) else { throw TestFailure("receiver stopped") }
            if request.eventType == type { return request }
        }
    }
}

/// Re-reads state over REST until `condition` holds (bounded). The app has no change stream yet
/// (the UI issue adds one), so a REST read every few milliseconds stands in for the event.
func poll<Value: Sendable>(
    within timeout: Duration = .seconds(10),
    _ read: @escaping @Sendable () async throws -> Value,
    until condition: @escaping @Sendable (Value) -> Bool
) async throws -> Value {
    try await withDeadline(timeout) {
        let pause = WakeupSignal()
        while true {
            let value = try await read()
            if condition(value) { return value }
            try Task.checkCancellation()
            await pause.wait(for: .milliseconds(10))
        }
    }
}

/// `GET /deliveries/{id}` once its status is `status`.
func waitForStatus(_ status: String, delivery id: String, client: any TestClientProtocol) async throws -> [String: Any] {
    let json = try await poll({ try await client.admin(.get, "/deliveries/\(id)").body }, until: { buffer in
        ((try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))) as? [String: Any])?["status"] as? String == status
    })
    return (try JSONSerialization.jsonObject(with: Data(json.readableBytesView))) as? [String: Any] ?? [:]
}

/// `GET /webhooks/{id}` once `condition` holds.
func waitForSubscription(_ id: String, client: any TestClientProtocol, _ condition: @escaping @Sendable ([String: Any]) -> Bool) async throws -> [String: Any] {
    let body = try await poll({ try await client.admin(.get, "/webhooks/\(id)").body }, until: { buffer in
        condition(((try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))) as? [String: Any]) ?? [:])
    })
    return (try JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
}

/// `GET /webhooks/{id}/deliveries?status=` once it lists at least one.
func waitForDeliveries(subscription id: String, status: String, client: any TestClientProtocol) async throws -> [[String: Any]] {
    let body = try await poll({ try await client.admin(.get, "/webhooks/\(id)/deliveries?status=\(status)").body }, until: { buffer in
        !((((try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))) as? [String: Any])?["data"] as? [Any]) ?? []).isEmpty
    })
    return ((try JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any])?["data"] as? [[String: Any]] ?? []
}
