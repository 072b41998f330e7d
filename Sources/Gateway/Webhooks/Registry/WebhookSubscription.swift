#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A registered webhook endpoint, exactly as stored in `<data-dir>/webhooks/<id>.json`.
///
/// The file format is this type's `Codable` form with `"version": 1`. Unknown keys are ignored when
/// reading, so a newer gateway can add fields without breaking an older file.
public struct WebhookSubscription: Sendable, Codable, Equatable {
    /// The file format version this build writes.
    public static let formatVersion = 1

    /// A secret that still signs deliveries until it expires (a rotation's grace period).
    public struct PreviousSecret: Sendable, Codable, Equatable {
        public var secret: String
        public var expiresAt: Date

        enum CodingKeys: String, CodingKey {
            case secret
            case expiresAt = "expires_at"
        }
    }

    /// Per-endpoint delivery settings (used by the delivery engine).
    public struct DeliverySettings: Sendable, Codable, Equatable {
        /// Requests per second at most; `nil` = no limit.
        public var rateLimitPerSecond: Int?
        /// Concurrent requests at most; `nil` = the engine's default.
        public var maxInFlight: Int?
        /// `unordered` (default) or `fifo`: one in flight at a time, in event order.
        public var ordering: Ordering

        /// Whether deliveries may overtake each other (`unordered`) or go one at a time in event order (`fifo`).
        public enum Ordering: String, Sendable, Codable { case unordered, fifo }

        public init(rateLimitPerSecond: Int? = nil, maxInFlight: Int? = nil, ordering: Ordering = .unordered) {
            self.rateLimitPerSecond = rateLimitPerSecond
            self.maxInFlight = maxInFlight
            self.ordering = ordering
        }

        enum CodingKeys: String, CodingKey {
            case rateLimitPerSecond = "rate_limit_per_second"
            case maxInFlight = "max_in_flight"
            case ordering
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            rateLimitPerSecond = try container.decodeIfPresent(Int.self, forKey: .rateLimitPerSecond)
            maxInFlight = try container.decodeIfPresent(Int.self, forKey: .maxInFlight)
            ordering = try container.decodeIfPresent(Ordering.self, forKey: .ordering) ?? .unordered
        }
    }

    public var version: Int = Self.formatVersion
    public var id: String
    public var url: String
    /// Event names from ``WebhookEventType``, or `["*"]` for all.
    public var events: [String]
    public var description: String
    /// `whsec_` + base64 of 24–64 random bytes.
    public var secret: String
    public var previousSecrets: [PreviousSecret]
    /// Extra request headers sent with every delivery.
    public var headers: [String: String]
    public var enabled: Bool
    public var disabledReason: String?
    public var metadata: [String: String]
    public var delivery: DeliverySettings
    /// Incremented on every write; the ETag, and what `If-Match` compares against.
    public var revision: Int
    public var createdAt: Date
    public var updatedAt: Date

    /// Whether this subscription wants `eventType`. `*` covers the hub's events; the operational
    /// events (`webhook.disabled`, `delivery.*`) must be named, so that they never feed back into themselves.
    public func wants(_ eventType: String) -> Bool {
        enabled && (events.contains(eventType) || (events.contains(WebhookEventType.wildcard) && !WebhookEventType.isOperational(eventType)))
    }

    /// The secrets that sign a delivery at `now`: the current one, then unexpired previous ones.
    public func signingSecrets(at now: Date) -> [String] {
        [secret] + previousSecrets.filter { $0.expiresAt > now }.map(\.secret)
    }

    /// The strong ETag for this revision.
    public var etag: String { "\"\(revision)\"" }

    enum CodingKeys: String, CodingKey {
        case version, id, url, events, description, secret, headers, enabled, metadata, delivery, revision
        case previousSecrets = "previous_secrets"
        case disabledReason = "disabled_reason"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public init(
        id: String, url: String, events: [String], description: String, secret: String, previousSecrets: [PreviousSecret] = [],
        headers: [String: String] = [:], enabled: Bool = true, disabledReason: String? = nil, metadata: [String: String] = [:],
        delivery: DeliverySettings = .init(), revision: Int = 1, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.url = url
        self.events = events
        self.description = description
        self.secret = secret
        self.previousSecrets = previousSecrets
        self.headers = headers
        self.enabled = enabled
        self.disabledReason = disabledReason
        self.metadata = metadata
        self.delivery = delivery
        self.revision = revision
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(Int.self, forKey: .version)
        id = try container.decode(String.self, forKey: .id)
        url = try container.decode(String.self, forKey: .url)
        events = try container.decode([String].self, forKey: .events)
        description = try container.decodeIfPresent(String.self, forKey: .description) ?? ""
        secret = try container.decode(String.self, forKey: .secret)
        previousSecrets = try container.decodeIfPresent([PreviousSecret].self, forKey: .previousSecrets) ?? []
        headers = try container.decodeIfPresent([String: String].self, forKey: .headers) ?? [:]
        enabled = try container.decodeIfPresent(Bool.self, forKey: .enabled) ?? true
        disabledReason = try container.decodeIfPresent(String.self, forKey: .disabledReason)
        metadata = try container.decodeIfPresent([String: String].self, forKey: .metadata) ?? [:]
        delivery = try container.decodeIfPresent(DeliverySettings.self, forKey: .delivery) ?? .init()
        revision = try container.decodeIfPresent(Int.self, forKey: .revision) ?? 1
        createdAt = try container.decode(Date.self, forKey: .createdAt)
        updatedAt = try container.decode(Date.self, forKey: .updatedAt)
    }
}
