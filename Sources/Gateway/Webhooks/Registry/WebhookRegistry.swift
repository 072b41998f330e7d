/// The subscription store: the only way the rest of the gateway reads or changes subscriptions.
///
/// Reads are synchronous lookups in memory (the dispatcher calls ``subscriptions(for:)`` for every
/// event); writes are durable before they return.
public protocol WebhookRegistry: Sendable {
    /// Validates and stores a new subscription; generates the id, and the secret when none is given.
    func create(_ input: WebhookInput) async throws -> WebhookSubscription
    /// Applies the present fields of `input`; `ifMatch` (an ETag) must match the stored revision when given.
    func update(id: String, with input: WebhookInput, ifMatch: String?) async throws -> WebhookSubscription
    /// Removes a subscription; ``WebhookError/Kind/notFound`` if there is none.
    func delete(id: String) async throws
    /// Makes a new current secret (generated, or `newSecret`); the old one keeps signing for the grace period.
    func rotateSecret(id: String, newSecret: String?) async throws -> WebhookSubscription
    /// Disables a subscription with a reason (used by the delivery engine).
    func disable(id: String, reason: String) async throws
    /// Re-reads the storage, with the same validation as start-up.
    func reload() async throws -> RegistryLoadReport

    /// One subscription, if it exists.
    func subscription(id: String) -> WebhookSubscription?
    /// A page of subscriptions in creation order, after `cursor` (an id), optionally filtered.
    func list(after cursor: String?, limit: Int, event: String?, enabled: Bool?) -> RegistryPage
    /// The enabled subscriptions that want `eventType`.
    func subscriptions(for eventType: String) -> [WebhookSubscription]
    /// Whether ``subscriptions(for:)`` would return any; asked on the hub's hot path, so it must not
    /// scan the subscriptions.
    func hasSubscriptions(for eventType: String) -> Bool
    /// How many subscriptions exist.
    var count: Int { get }
}

/// One page of ``WebhookRegistry/list(after:limit:event:enabled:)``.
public struct RegistryPage: Sendable, Equatable {
    public var items: [WebhookSubscription]
    /// Pass as `cursor` to get the next page; `nil` on the last page.
    public var nextCursor: String?
}

/// What a load or reload found.
public struct RegistryLoadReport: Sendable, Equatable, Codable {
    /// Subscriptions now in the index.
    public var loaded: Int
    /// Files moved to `webhooks/invalid/`, with why.
    public var quarantined: [Quarantined]
    /// Leftover temp files removed.
    public var strayTempFiles: Int

    /// A file that failed to parse or validate.
    public struct Quarantined: Sendable, Equatable, Codable {
        public var file: String
        public var reason: String
    }

    enum CodingKeys: String, CodingKey {
        case loaded, quarantined
        case strayTempFiles = "stray_temp_files"
    }
}
