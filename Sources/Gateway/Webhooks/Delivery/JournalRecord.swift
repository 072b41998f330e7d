/// One record of the outbox journal. The journal stores and returns these; the delivery engine
/// gives them meaning (replaying them in order rebuilds the pending set).
///
/// Times are milliseconds since 1970 (UTC), so records encode without Foundation.
public enum JournalRecord: Sendable, Equatable {
    /// An event, stored once however many subscriptions receive it.
    case event(EventRecord)
    /// A delivery of an event to a subscription was accepted (before anything is sent).
    case enqueued(DeliveryRecord)
    /// One attempt finished (any outcome except the final success or death, which have their own records).
    case attempted(AttemptRecord)
    /// The delivery succeeded.
    case delivered(deliveryID: String, at: Int64)
    /// The delivery was given up.
    case dead(deliveryID: String, at: Int64, reason: String)
    /// A `POST /broadcast` with an `Idempotency-Key` was answered (written with its event's deliveries).
    case idempotencyKey(IdempotencyRecord)
}

/// The first answer to a `POST /broadcast` with an `Idempotency-Key`, kept for 24 hours so that a
/// retry, even after a restart, gets the same answer and creates no new deliveries.
public struct IdempotencyRecord: Sendable, Equatable {
    public var key: String
    /// SHA-256 (hex) of the request body the key was first used with.
    public var fingerprint: String
    /// When the key was first answered (ms since 1970); it expires 24 hours later.
    public var storedAt: Int64
    /// The answer: WebSocket recipients and the message's timestamp (ISO-8601, as answered).
    public var recipients: Int
    public var timestamp: String

    public init(key: String, fingerprint: String, storedAt: Int64, recipients: Int, timestamp: String) {
        self.key = key
        self.fingerprint = fingerprint
        self.storedAt = storedAt
        self.recipients = recipients
        self.timestamp = timestamp
    }
}

/// An event as delivered: its id, type, time and the exact body bytes sent to every subscription.
public struct EventRecord: Sendable, Equatable {
    public var eventID: String
    public var type: String
    public var timestamp: Int64
    /// The JSON body `{"type", "timestamp", "data"}`.
    public var payload: [UInt8]

    public init(eventID: String, type: String, timestamp: Int64, payload: [UInt8]) {
        self.eventID = eventID
        self.type = type
        self.timestamp = timestamp
        self.payload = payload
    }
}

/// A delivery: one event × one subscription. `deliveryID` is the `webhook-id` header, stable across retries.
public struct DeliveryRecord: Sendable, Equatable {
    public var deliveryID: String
    public var eventID: String
    public var subscriptionID: String
    public var createdAt: Int64
    /// Attempts already made (non-zero when compaction carries a pending delivery forward).
    public var attempts: Int
    /// When the next attempt is due (ms since 1970).
    public var nextAttemptAt: Int64

    public init(deliveryID: String, eventID: String, subscriptionID: String, createdAt: Int64, attempts: Int = 0, nextAttemptAt: Int64) {
        self.deliveryID = deliveryID
        self.eventID = eventID
        self.subscriptionID = subscriptionID
        self.createdAt = createdAt
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
    }
}

/// One attempt's outcome, for the attempt log and for recovery.
public struct AttemptRecord: Sendable, Equatable {
    public var deliveryID: String
    /// 1 for the first attempt.
    public var attempt: Int
    public var at: Int64
    public var durationMillis: Int64
    /// The HTTP status, or 0 when no response was received.
    public var statusCode: Int
    /// The transport error or a short reason; empty on an HTTP response.
    public var error: String
    /// The start of the response body (at most 1 KiB is kept in the journal).
    public var responseSnippet: [UInt8]
    /// When the next attempt is due, or 0 when none is planned.
    public var nextAttemptAt: Int64

    public init(
        deliveryID: String, attempt: Int, at: Int64, durationMillis: Int64, statusCode: Int, error: String, responseSnippet: [UInt8],
        nextAttemptAt: Int64
    ) {
        self.deliveryID = deliveryID
        self.attempt = attempt
        self.at = at
        self.durationMillis = durationMillis
        self.statusCode = statusCode
        self.error = error
        self.responseSnippet = responseSnippet
        self.nextAttemptAt = nextAttemptAt
    }
}
