import Logging
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension FileWebhookRegistry {
    public func create(_ input: WebhookInput) async throws -> WebhookSubscription {
        guard let url = input.url else { throw WebhookError.invalid("url", "is required") }
        let now = Date()
        let subscription = WebhookSubscription(
            id: Identifier.make(prefix: "wh_", now: now),
            url: try rules.url(url),
            events: try rules.events(input.events ?? [WebhookEventType.wildcard]),
            description: try rules.description(input.description ?? ""),
            secret: try input.secret.map(rules.secret) ?? SubscriptionRules.generateSecret(),
            headers: try rules.headers(input.headers ?? [:]),
            enabled: input.enabled ?? true,
            metadata: try rules.metadata(input.metadata ?? [:]),
            delivery: try rules.delivery(input.delivery ?? .init()),
            createdAt: now,
            updatedAt: now
        )
        let limit = rules.limits.maxSubscriptions
        try await serialized {
            guard self.count < limit else { throw WebhookError.limitReached("subscriptions", "the registry holds webhooks.maxSubscriptions (\(limit))") }
            try self.persist(subscription)
        }
        logger.info("Subscription created", metadata: ["webhook.subscription.id": "\(subscription.id)"])
        return subscription
    }

    public func update(id: String, with input: WebhookInput, ifMatch: String?) async throws -> WebhookSubscription {
        let rules = self.rules
        let updated = try await mutate(id: id, ifMatch: ifMatch) { subscription in
            if let url = input.url { subscription.url = try rules.url(url) }
            if let events = input.events { subscription.events = try rules.events(events) }
            if let description = input.description { subscription.description = try rules.description(description) }
            if let secret = input.secret { subscription.secret = try rules.secret(secret) }
            if let headers = input.headers { subscription.headers = try rules.headers(headers) }
            if let metadata = input.metadata { subscription.metadata = try rules.metadata(metadata) }
            if let delivery = input.delivery { subscription.delivery = try rules.delivery(delivery) }
            if let enabled = input.enabled {
                subscription.enabled = enabled
                if enabled { subscription.disabledReason = nil }
            }
        }
        logger.info("Subscription updated", metadata: ["webhook.subscription.id": "\(id)", "webhook.subscription.revision": "\(updated.revision)"])
        return updated
    }

    public func rotateSecret(id: String, newSecret: String?) async throws -> WebhookSubscription {
        let secret = try newSecret.map(rules.secret) ?? SubscriptionRules.generateSecret()
        let grace = rules.limits.secretGrace
        let rotated = try await mutate(id: id, ifMatch: nil) { subscription in
            let now = Date()
            let expiry = now.addingTimeInterval(Double(grace.components.seconds))
            subscription.previousSecrets = subscription.previousSecrets.filter { $0.expiresAt > now }
                + [.init(secret: subscription.secret, expiresAt: expiry)]
            subscription.secret = secret
        }
        logger.info("Subscription secret rotated", metadata: ["webhook.subscription.id": "\(id)"])
        return rotated
    }

    public func disable(id: String, reason: String) async throws {
        _ = try await mutate(id: id, ifMatch: nil) { subscription in
            subscription.enabled = false
            subscription.disabledReason = reason
        }
        logger.info("Subscription disabled", metadata: ["webhook.subscription.id": "\(id)", "webhook.disabled.reason": "\(reason)"])
    }

    public func delete(id: String) async throws {
        try await serialized {
            guard self.subscription(id: id) != nil else { throw WebhookError.notFound("subscription", id: id) }
            do {
                try self.files.remove(SubscriptionFileCodec.fileName(for: id))
            } catch {
                throw WebhookError.storage("could not remove the subscription file; nothing was changed")
            }
            self.index.withLock { $0.remove(id) }
        }
        logger.info("Subscription deleted", metadata: ["webhook.subscription.id": "\(id)"])
    }

    /// Reads, changes and writes one subscription as a single serialized step, bumping its revision.
    private func mutate(
        id: String,
        ifMatch: String?,
        _ change: @escaping @Sendable (inout WebhookSubscription) throws -> Void
    ) async throws -> WebhookSubscription {
        try await serialized {
            guard var subscription = self.subscription(id: id) else { throw WebhookError.notFound("subscription", id: id) }
            if let ifMatch, ifMatch != "*", ifMatch != subscription.etag {
                throw WebhookError.revisionMismatch(expected: ifMatch, current: subscription.etag)
            }
            try change(&subscription)
            subscription.revision += 1
            subscription.updatedAt = Date()
            try self.persist(subscription)
            return subscription
        }
    }
}
