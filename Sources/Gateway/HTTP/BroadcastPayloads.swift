import Hummingbird

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `POST /broadcast`: `{message, sender?, message_type?}`.
struct BroadcastRequest: Decodable {
    var message: String
    var sender: String?
    var messageType: String?

    enum CodingKeys: String, CodingKey {
        case message, sender
        case messageType = "message_type"
    }

    /// Validates and builds the hub message; `sender` defaults to `API`.
    func message(defaultType: String) throws -> BroadcastMessage {
        guard !message.isEmpty else { throw APIError.invalidField("message", "must not be empty") }
        let type = messageType ?? defaultType
        guard !type.isEmpty, type.utf8.count <= 64 else { throw APIError.invalidField("message_type", "must be 1 to 64 characters") }
        return BroadcastMessage(message: message, sender: sender ?? "API", messageType: type)
    }
}

/// `POST /broadcast/specific`: a broadcast body plus `client_ids` (or the seed's `client_indices`).
struct SpecificBroadcastRequest: Decodable {
    var broadcast: BroadcastRequest
    var clientIDs: [String]?
    var clientIndices: [Int]?

    enum CodingKeys: String, CodingKey {
        case clientIDs = "client_ids"
        case clientIndices = "client_indices"
    }

    init(from decoder: any Decoder) throws {
        broadcast = try BroadcastRequest(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        clientIDs = try container.decodeIfPresent([String].self, forKey: .clientIDs)
        clientIndices = try container.decodeIfPresent([Int].self, forKey: .clientIndices)
    }
}

/// The answer to both broadcast routes.
struct BroadcastResponse: ResponseEncodable {
    var status = "success"
    /// How many WebSocket clients the message was queued for (0 is a success too).
    var recipients: Int
    /// The message's ISO-8601 timestamp, as first answered (an idempotent retry repeats it byte for byte).
    var timestamp: String
    var message: String { "Message sent to \(recipients) client\(recipients == 1 ? "" : "s")" }

    init(recipients: Int, timestamp: String) {
        self.recipients = recipients
        self.timestamp = timestamp
    }

    enum CodingKeys: String, CodingKey { case status, recipients, timestamp, message }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(status, forKey: .status)
        try container.encode(recipients, forKey: .recipients)
        try container.encode(timestamp, forKey: .timestamp)
        try container.encode(message, forKey: .message)
    }
}

/// `GET /health`.
struct HealthResponse: ResponseEncodable {
    var status: String
    var timestamp: Date
    var activeConnections: Int

    enum CodingKeys: String, CodingKey {
        case status, timestamp
        case activeConnections = "active_connections"
    }
}

/// `GET /stats`: the seed's three figures plus the hub's counters, and the webhook figures.
struct StatsResponse: ResponseEncodable {
    var stats: HubStatistics
    var webhooks: WebhookStatistics?

    init(_ stats: HubStatistics, webhooks: WebhookStatistics?) {
        self.stats = stats
        self.webhooks = webhooks
    }

    enum CodingKeys: String, CodingKey {
        case activeConnections = "active_connections"
        case totalMessagesSent = "total_messages_sent"
        case uptimeSeconds = "uptime_seconds"
        case framesSent = "frames_sent"
        case messagesReceived = "messages_received"
        case messagesDropped = "messages_dropped"
        case clientsEvicted = "clients_evicted"
        case totalConnectionsCreated = "total_connections_created"
        case connectionsRefused = "connections_refused"
        case webhooks
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(stats.activeConnections, forKey: .activeConnections)
        try container.encode(stats.totalMessagesSent, forKey: .totalMessagesSent)
        try container.encode((stats.uptimeSeconds * 1000).rounded() / 1000, forKey: .uptimeSeconds)
        try container.encode(stats.framesSent, forKey: .framesSent)
        try container.encode(stats.messagesReceived, forKey: .messagesReceived)
        try container.encode(stats.messagesDropped, forKey: .messagesDropped)
        try container.encode(stats.clientsEvicted, forKey: .clientsEvicted)
        try container.encode(stats.totalConnectionsCreated, forKey: .totalConnectionsCreated)
        try container.encode(stats.connectionsRefused, forKey: .connectionsRefused)
        try container.encodeIfPresent(webhooks, forKey: .webhooks)
    }
}

/// The webhook figures in `/stats`.
public struct WebhookStatistics: Sendable, Encodable, Equatable {
    public var subscriptions: Int
    public var queueDepth: Int
    public var inFlight: Int
    public var delivered: Int
    public var failedAttempts: Int
    public var dead: Int
    public var openCircuits: Int
    public var eventsDropped: Int
    public var journalBytes: Int
    public var compactions: Int

    public init(subscriptions: Int, counters: DeliveryCounters, eventsDropped: Int) {
        self.subscriptions = subscriptions
        queueDepth = counters.pending
        inFlight = counters.inFlight
        delivered = counters.delivered
        failedAttempts = counters.failedAttempts
        dead = counters.dead
        openCircuits = counters.openCircuits
        self.eventsDropped = eventsDropped
        journalBytes = counters.journalBytes
        compactions = counters.compactions
    }

    enum CodingKeys: String, CodingKey {
        case subscriptions, delivered, dead
        case queueDepth = "queue_depth"
        case inFlight = "in_flight"
        case failedAttempts = "failed"
        case openCircuits = "open_circuits"
        case eventsDropped = "events_dropped"
        case journalBytes = "journal_bytes"
        case compactions = "journal_compactions"
    }
}

/// `GET /info`.
struct InfoResponse: ResponseEncodable {
    var totalConnectionsCreated: Int
    var startTime: Date
    var clients: [ClientInfo]

    enum CodingKeys: String, CodingKey {
        case totalConnectionsCreated = "total_connections_created"
        case startTime = "start_time"
        case clients
    }
}
