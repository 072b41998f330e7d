#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

extension DeliveryEngine {
    /// Turns events into one delivery per matching enabled subscription, makes them durable, and
    /// schedules them at once. Returns when the journal holds them (before anything is sent).
    /// - Parameters:
    ///   - events: The events, each stored once.
    ///   - subscriptionID: Deliver to this subscription only, whatever it subscribes to (`webhook.test`).
    ///   - answer: The `Idempotency-Key` answer of the request that raised the events, made durable in
    ///     the same append as their deliveries (so a retry after a crash neither loses nor repeats them).
    /// - Returns: The delivery ids created, per event id.
    @discardableResult
    public func accept(_ events: [WebhookEvent], only subscriptionID: String? = nil, answer: IdempotencyRecord? = nil) async throws -> [String: [String]] {
        guard accepting else { throw WebhookError.storage("the delivery engine is shutting down") }
        let now = epochMillis()
        var records: [JournalRecord] = answer.map { [.idempotencyKey($0)] } ?? []
        var created: [String: [String]] = [:]
        for event in events {
            let targets = subscriptionID.map { id in registry.subscription(id: id).map { [$0] } ?? [] } ?? registry.subscriptions(for: event.type)
            guard !targets.isEmpty else { continue }
            records.append(.event(try event.record()))
            for subscription in targets {
                let id = Identifier.make(prefix: "msg_")
                records.append(.enqueued(DeliveryRecord(deliveryID: id, eventID: event.id, subscriptionID: subscription.id, createdAt: now, nextAttemptAt: now)))
                created[event.id, default: []].append(id)
            }
        }
        // Counted once accepted (journaled, or wanted by nobody), so an append that fails and is retried counts once.
        if !records.isEmpty { try await persist(records) }
        for event in events { metrics.eventAccepted(type: event.type) }
        guard !records.isEmpty else { return [:] }
        schedule(records)
        return created
    }

    /// Whether some subscription wants events of `type`: ``Dispatcher`` asks before it queues a hub
    /// event, so that an event nobody wants costs no queueing, no wake-up and no journal.
    nonisolated func wantsEvents(ofType type: String) -> Bool {
        registry.hasSubscriptions(for: type)
    }

    /// Counts an event that no subscription wanted as accepted, as ``accept(_:only:answer:)`` does.
    nonisolated func acceptedUnwanted(type: String) {
        metrics.eventAccepted(type: type)
    }

    /// The stored answer for an `Idempotency-Key`, if it was given in the last 24 hours.
    public func idempotencyAnswer(for key: String) -> IdempotencyRecord? {
        guard let answer = ledger.idempotencyKeys[key], epochMillis() - answer.storedAt < DeliveryLedger.idempotencyLifetimeMillis else { return nil }
        return answer
    }

    /// Schedules the deliveries among persisted records.
    private func schedule(_ records: [JournalRecord]) {
        for case .enqueued(let delivery) in records {
            schedule(delivery.deliveryID, at: delivery.nextAttemptAt)
        }
        publishCounters()
        wakeup.signal()
    }

    /// `POST /deliveries/{id}/retry`: a settled delivery goes back to pending with a fresh attempt budget.
    public func retry(deliveryID: String) async throws -> DeliverySummary {
        guard let entry = ledger.entries[deliveryID] else { throw WebhookError.notFound("delivery", id: deliveryID) }
        if entry.status != .pending {
            var record = entry.record
            record.nextAttemptAt = epochMillis()
            try await persist([.enqueued(record)])
            schedule([.enqueued(record)])
        } else if !inFlight.contains(deliveryID) {
            schedule(deliveryID, at: epochMillis())
            wakeup.signal()
        }
        return try summary(deliveryID)
    }

    /// `POST /webhooks/{id}/replay`: re-sends the retained events since `since` that the subscription
    /// wants. Dead deliveries are retried; events it never got get a new delivery; delivered and pending ones are left alone.
    /// - Returns: How many deliveries were queued.
    public func replay(subscriptionID: String, since: Date) async throws -> Int {
        guard let subscription = registry.subscription(id: subscriptionID) else { throw WebhookError.notFound("subscription", id: subscriptionID) }
        let from = epochMillis(since)
        let now = epochMillis()
        var records: [JournalRecord] = []
        for event in ledger.events.values.sorted(by: { $0.timestamp < $1.timestamp }) where event.timestamp >= from && subscription.wants(event.type) {
            if let existing = ledger.byEventAndSubscription[event.eventID + "|" + subscriptionID], let entry = ledger.entries[existing] {
                guard entry.status == .dead else { continue }
                var record = entry.record
                record.nextAttemptAt = now
                records.append(.enqueued(record))
            } else {
                records.append(.enqueued(DeliveryRecord(deliveryID: Identifier.make(prefix: "msg_"), eventID: event.eventID, subscriptionID: subscriptionID, createdAt: now, nextAttemptAt: now)))
            }
        }
        guard !records.isEmpty else { return 0 }
        try await persist(records)
        schedule(records)
        return records.count
    }

    /// `POST /webhooks/{id}/test`: a `webhook.test` event to this subscription only.
    public func sendTest(subscriptionID: String) async throws -> (eventID: String, deliveryID: String) {
        guard registry.subscription(id: subscriptionID) != nil else { throw WebhookError.notFound("subscription", id: subscriptionID) }
        let event = WebhookEvent(
            type: WebhookEventType.webhookTest.name,
            data: ["message": "This is a test delivery from the gateway.", "subscription_id": .string(subscriptionID)]
        )
        let created = try await accept([event], only: subscriptionID)
        guard let deliveryID = created[event.id]?.first else { throw WebhookError.notFound("subscription", id: subscriptionID) }
        return (event.id, deliveryID)
    }
}
