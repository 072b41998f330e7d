/// The writable fields of a subscription, as `POST /webhooks` and `PATCH /webhooks/{id}` send them.
///
/// Every field is optional: on create, absent fields take defaults (`events: ["*"]`, a generated
/// secret, enabled); on patch, absent fields keep their value. ``SubscriptionRules`` validates.
public struct WebhookInput: Sendable, Decodable, Equatable {
    public var url: String?
    public var events: [String]?
    public var description: String?
    public var secret: String?
    public var headers: [String: String]?
    public var enabled: Bool?
    public var metadata: [String: String]?
    public var delivery: WebhookSubscription.DeliverySettings?

    public init(
        url: String? = nil, events: [String]? = nil, description: String? = nil, secret: String? = nil, headers: [String: String]? = nil,
        enabled: Bool? = nil, metadata: [String: String]? = nil, delivery: WebhookSubscription.DeliverySettings? = nil
    ) {
        self.url = url
        self.events = events
        self.description = description
        self.secret = secret
        self.headers = headers
        self.enabled = enabled
        self.metadata = metadata
        self.delivery = delivery
    }
}
