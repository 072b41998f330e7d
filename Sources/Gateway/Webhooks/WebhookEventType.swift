/// The catalog of events the gateway sends to webhooks: names, what they mean, and the JSON schema of `data`.
///
/// Every delivery body is `{"type": name, "timestamp": ISO-8601, "data": {...}}` (the Standard
/// Webhooks payload shape). `GET /events` serves this catalog; subscriptions name events from it.
public struct WebhookEventType: Sendable, Hashable {
    public let name: String
    public let summary: String
    /// JSON schema of the `data` object.
    public let dataSchema: JSONValue

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
        dataSchema: object(
            required: ["message", "sender", "message_type", "source", "recipients"],
            ["message": string, "sender": string, "message_type": string, "source": ["type": "string", "enum": ["websocket", "api"]],
             "recipients": integer, "timestamp": dateTime]
        )
    )
    public static let clientConnected = WebhookEventType(
        name: "client-connected",
        summary: "A WebSocket client connected and got its welcome.",
        dataSchema: object(
            required: ["client_id", "client_number", "total_connections"],
            ["client_id": string, "client_number": integer, "total_connections": integer, "timestamp": dateTime]
        )
    )
    public static let clientDisconnected = WebhookEventType(
        name: "client-disconnected",
        summary: "A WebSocket client left; reason says why (client_closed, evicted, rate_limited, message_too_large, server_shutdown, error).",
        dataSchema: object(
            required: ["client_id", "reason", "remaining_connections"],
            ["client_id": string, "reason": string, "close_code": ["type": ["integer", "null"]], "remaining_connections": integer,
             "timestamp": dateTime]
        )
    )
    public static let serverStatus = WebhookEventType(
        name: "server-status",
        summary: "The gateway started or is shutting down.",
        dataSchema: object(required: ["status"], ["status": ["type": "string", "enum": ["startup", "shutdown"]], "version": string])
    )
    public static let broadcastStats = WebhookEventType(
        name: "broadcast-stats",
        summary: "Periodic hub statistics (off by default; see webhooks.statsIntervalSeconds).",
        dataSchema: object(
            required: ["active_connections", "total_messages_sent"],
            ["active_connections": integer, "total_messages_sent": integer, "messages_received": integer, "uptime_seconds": number]
        )
    )
    public static let webhookTest = WebhookEventType(
        name: "webhook.test",
        summary: "Sent on demand by POST /webhooks/{id}/test.",
        dataSchema: object(required: ["message"], ["message": string, "subscription_id": string])
    )
    public static let webhookDisabled = WebhookEventType(
        name: "webhook.disabled",
        summary: "A subscription was disabled by the gateway (410 Gone, webhook-delivery: disable, or failing too long).",
        dataSchema: object(required: ["subscription_id", "reason"], ["subscription_id": string, "reason": string])
    )
    public static let deliveryExhausted = WebhookEventType(
        name: "delivery.exhausted",
        summary: "A delivery used all its attempts and is dead.",
        dataSchema: object(
            required: ["subscription_id", "delivery_id", "event_type", "attempts"],
            ["subscription_id": string, "delivery_id": string, "event_type": string, "attempts": integer, "last_error": string]
        )
    )
    public static let deliveryRecovered = WebhookEventType(
        name: "delivery.recovered",
        summary: "An endpoint that was failing accepted a delivery again.",
        dataSchema: object(required: ["subscription_id"], ["subscription_id": string, "failed_attempts": integer])
    )

    private static let string: JSONValue = ["type": "string"]
    private static let integer: JSONValue = ["type": "integer"]
    private static let number: JSONValue = ["type": "number"]
    private static let dateTime: JSONValue = ["type": "string", "format": "date-time"]

    private static func object(required: [String], _ properties: [String: JSONValue]) -> JSONValue {
        .object(["type": "object", "required": .array(required.map(JSONValue.string)), "properties": .object(properties)])
    }
}
