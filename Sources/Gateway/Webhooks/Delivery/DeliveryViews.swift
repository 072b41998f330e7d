#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A delivery as the log lists it.
public struct DeliverySummary: Sendable, Codable, Equatable {
    /// `pending` (not tried yet), `failed` (tried, will retry), `delivered`, `dead`.
    public enum Status: String, Sendable, Codable, CaseIterable { case pending, failed, delivered, dead }

    public var id: String
    public var eventID: String
    public var eventType: String
    public var subscriptionID: String
    public var status: Status
    public var attempts: Int
    public var createdAt: Date
    public var lastAttemptAt: Date?
    public var nextAttemptAt: Date?
    public var lastStatusCode: Int?
    public var lastError: String?
    public var lastDurationMillis: Int64?

    enum CodingKeys: String, CodingKey {
        case id, status, attempts
        case eventID = "event_id"
        case eventType = "event_type"
        case subscriptionID = "subscription_id"
        case createdAt = "created_at"
        case lastAttemptAt = "last_attempt_at"
        case nextAttemptAt = "next_attempt_at"
        case lastStatusCode = "last_status_code"
        case lastError = "last_error"
        case lastDurationMillis = "last_duration_ms"
    }
}

/// One attempt as `GET /deliveries/{id}` shows it.
public struct AttemptView: Sendable, Codable, Equatable {
    public var attempt: Int
    public var at: Date
    public var statusCode: Int?
    public var durationMillis: Int64
    public var error: String?
    /// The start of the response body, as text.
    public var response: String

    enum CodingKeys: String, CodingKey {
        case attempt, at, error, response
        case statusCode = "status_code"
        case durationMillis = "duration_ms"
    }
}

/// `GET /deliveries/{id}`: the summary, the exact payload sent, and every attempt.
public struct DeliveryDetail: Sendable, Equatable {
    public var summary: DeliverySummary
    public var payload: [UInt8]
    public var attempts: [AttemptView]
}

/// A page of deliveries, newest first.
public struct DeliveryPage: Sendable, Equatable {
    public var items: [DeliverySummary]
    public var nextCursor: String?
}

extension Date {
    /// The date for a journal time in milliseconds.
    init(epochMillis: Int64) { self.init(timeIntervalSince1970: Double(epochMillis) / 1000) }
}
