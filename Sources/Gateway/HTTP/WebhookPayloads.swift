import Hummingbird

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A subscription as the REST API shows it; the secret only where asked for (create, rotate, `/secret`).
struct SubscriptionView: ResponseEncodable {
    var subscription: WebhookSubscription
    var includeSecret: Bool

    enum CodingKeys: String, CodingKey {
        case id, url, events, description, secret, headers, enabled, metadata, delivery, revision
        case disabledReason = "disabled_reason"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(subscription.id, forKey: .id)
        try container.encode(subscription.url, forKey: .url)
        try container.encode(subscription.events, forKey: .events)
        try container.encode(subscription.description, forKey: .description)
        if includeSecret { try container.encode(subscription.secret, forKey: .secret) }
        try container.encode(subscription.headers, forKey: .headers)
        try container.encode(subscription.enabled, forKey: .enabled)
        try container.encode(subscription.disabledReason, forKey: .disabledReason)
        try container.encode(subscription.metadata, forKey: .metadata)
        try container.encode(subscription.delivery, forKey: .delivery)
        try container.encode(subscription.revision, forKey: .revision)
        try container.encode(subscription.createdAt, forKey: .createdAt)
        try container.encode(subscription.updatedAt, forKey: .updatedAt)
    }
}

/// Every paginated list: `{"data": [...], "next_cursor": id or null}`.
struct PageResponse<Item: Encodable>: ResponseEncodable {
    var data: [Item]
    var nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case data
        case nextCursor = "next_cursor"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(data, forKey: .data)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}

/// `GET /webhooks/{id}/secret` and `POST /webhooks/{id}/rotate-secret`.
struct SecretView: ResponseEncodable {
    var secret: String
    var previousSecrets: [WebhookSubscription.PreviousSecret]

    init(_ subscription: WebhookSubscription, now: Date = Date()) {
        secret = subscription.secret
        previousSecrets = subscription.previousSecrets.filter { $0.expiresAt > now }
    }

    enum CodingKeys: String, CodingKey {
        case secret
        case previousSecrets = "previous_secrets"
    }
}

/// `POST /webhooks/{id}/rotate-secret`: optionally the new secret.
struct RotateSecretRequest: Decodable {
    var secret: String?
}

/// `GET /events`: the catalog.
struct EventCatalog: ResponseEncodable {
    /// One event type as `GET /events` lists it.
    struct Entry: Encodable {
        var name: String
        var description: String
        var schema: JSONValue
    }

    var data: [Entry] = WebhookEventType.all.map { Entry(name: $0.name, description: $0.summary, schema: $0.dataSchema) }
}

/// `POST /webhooks/reload`: what the reload found.
struct ReloadResponse: ResponseEncodable {
    var report: RegistryLoadReport

    func encode(to encoder: any Encoder) throws { try report.encode(to: encoder) }
}
