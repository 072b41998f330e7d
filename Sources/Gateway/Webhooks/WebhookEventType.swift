/// The catalog of events the gateway sends to webhooks: names, what they mean, and the JSON schema of `data`.
///
/// Every delivery body is `{"type": name, "timestamp": ISO-8601, "data": {...}}` (the Standard
/// Webhooks payload shape). `GET /events` serves this catalog; subscriptions name events from it.
public struct WebhookEventType: Sendable, Hashable {
    public let name: String
    public let summary: String
    /// The name of the `data` object's schema in the OpenAPI document's `components.schemas`.
    let schemaName: String

    /// JSON schema of the `data` object, from the OpenAPI document (the one place it is written).
    public var dataSchema: JSONValue { APIDocument.schemas[schemaName] ?? ["type": "object"] }

    /// Every event type, in the order `GET /events` lists them.
    public static let all: [WebhookEventType] = [
        messageBroadcast, clientConnected, clientDisconnected, serverStatus, broadcastStats,
        webhookTest, webhookDisabled, deliveryExhausted, deliveryRecovered,
    ]

    /// The wildcard a subscription uses to receive every event.
    public static let wildcard = "*"

    /// Events about the gateway's own delivery state, sent only to subscriptions that name them.
    public static func isOperational(_ name: String) -> Bool {
        name == webhookDisabled.name || name == deliveryExhausted.name || name == deliveryRecovered.name || name == webhookTest.name
    }

    /// Whether `name` is a known event type.
    public static func isKnown(_ name: String) -> Bool { all.contains { $0.name == name } }

    public static let messageBroadcast = WebhookEventType(
        name: "message-broadcast",
        summary: "A message was broadcast: a WebSocket chat, or POST /broadcast or /broadcast/specific.",
        schemaName: "MessageBroadcastData"
    )
    public static let clientConnected = WebhookEventType(
        name: "client-connected",
        summary: "A WebSocket client connected and got its welcome.",
        schemaName: "ClientConnectedData"
    )
    public static let clientDisconnected = WebhookEventType(
        name: "client-disconnected",
        summary: "A WebSocket client left; reason says why (client_closed, evicted, rate_limited, message_too_large, server_shutdown, error).",
        schemaName: "ClientDisconnectedData"
    )
    public static let serverStatus = WebhookEventType(
        name: "server-status",
        summary: "The gateway started or is shutting down.",
        schemaName: "ServerStatusData"
    )
    public static let broadcastStats = WebhookEventType(
        name: "broadcast-stats",
        summary: "Periodic hub statistics (off by default; see webhooks.statsIntervalSeconds).",
        schemaName: "BroadcastStatsData"
    )
    public static let webhookTest = WebhookEventType(
        name: "webhook.test",
        summary: "Sent on demand by POST /webhooks/{id}/test.",
        schemaName: "WebhookTestData"
    )
    public static let webhookDisabled = WebhookEventType(
        name: "webhook.disabled",
        summary: "A subscription was disabled by the gateway (410 Gone, webhook-delivery: disable, or failing too long).",
        schemaName: "WebhookDisabledData"
    )
    public static let deliveryExhausted = WebhookEventType(
        name: "delivery.exhausted",
        summary: "A delivery used all its attempts and is dead.",
        schemaName: "DeliveryExhaustedData"
    )
    public static let deliveryRecovered = WebhookEventType(
        name: "delivery.recovered",
        summary: "An endpoint that was failing accepted a delivery again.",
        schemaName: "DeliveryRecoveredData"
    )
}
