#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// One event to deliver: its id, type, time and `data`, encoded once into the body every
/// subscription receives: `{"type", "timestamp", "data"}` (the Standard Webhooks payload shape).
public struct WebhookEvent: Sendable, Equatable {
    public var id: String
    public var type: String
    public var timestamp: Date
    public var data: JSONValue

    public init(type: String, data: JSONValue, timestamp: Date = Date(), id: String? = nil) {
        self.id = id ?? Identifier.make(prefix: "evt_", now: timestamp)
        self.type = type
        self.timestamp = timestamp
        self.data = data
    }

    /// The body bytes, with sorted keys so that the same event always encodes the same way.
    public func payload() throws -> [UInt8] {
        /// The Standard Webhooks payload shape.
        struct Body: Encodable {
            var type: String
            var timestamp: Date
            var data: JSONValue
        }
        return Array(try JSONEncoder.gateway.encode(Body(type: type, timestamp: timestamp, data: data)))
    }

    /// The journal form of this event.
    public func record() throws -> EventRecord {
        EventRecord(eventID: id, type: type, timestamp: Int64((timestamp.timeIntervalSince1970 * 1000).rounded()), payload: try payload())
    }
}

extension WebhookEvent {
    /// The webhook event for a hub event.
    public init(_ event: HubEvent) {
        switch event {
        case .clientConnected(let clientID, let number, let total, let at):
            self.init(
                type: event.webhookEventType,
                data: ["client_id": .string(clientID), "client_number": .number(Double(number)), "total_connections": .number(Double(total)),
                       "timestamp": .string(ISO8601.string(from: at))],
                timestamp: at
            )
        case .clientDisconnected(let clientID, let reason, let remaining, let at):
            self.init(
                type: event.webhookEventType,
                data: ["client_id": .string(clientID), "reason": .string(reason.rawValue), "close_code": reason.closeCode.map { .number(Double($0)) } ?? .null,
                       "remaining_connections": .number(Double(remaining)), "timestamp": .string(ISO8601.string(from: at))],
                timestamp: at
            )
        case .messageBroadcast(let message, let source, let recipients):
            self.init(
                type: event.webhookEventType,
                data: ["message": .string(message.message), "sender": .string(message.sender), "message_type": .string(message.messageType),
                       "source": .string(source.rawValue), "recipients": .number(Double(recipients)), "timestamp": .string(ISO8601.string(from: message.timestamp))],
                timestamp: message.timestamp
            )
        }
    }
}

extension HubEvent {
    /// The type of the webhook event this becomes (known before building it).
    var webhookEventType: String {
        switch self {
        case .clientConnected: WebhookEventType.clientConnected.name
        case .clientDisconnected: WebhookEventType.clientDisconnected.name
        case .messageBroadcast: WebhookEventType.messageBroadcast.name
        }
    }
}

/// Milliseconds since 1970, the journal's unit of time.
public func epochMillis(_ date: Date = Date()) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
