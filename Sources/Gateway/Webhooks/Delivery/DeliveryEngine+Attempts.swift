import Logging
import Metrics

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension DeliveryEngine {
    /// Starts one attempt: signs the request and hands it to the transport, which calls back when it
    /// ends (``complete(_:with:startedAt:attemptStart:)``). No task per attempt: the transfer waits in
    /// the transport, and its result in the settler's queue.
    nonisolated func start(_ job: DeliveryJob) {
        if let reason = job.settleDead {
            finish(AttemptResult(job: job, records: [.dead(deliveryID: job.deliveryID, at: epochMillis(), reason: reason)], outcome: .settledDead))
            return
        }
        let started = epochMillis()
        let attemptStart = ContinuousClock.now
        let request: TransportRequest
        do {
            request = try self.request(for: job, timestamp: started / 1000)
        } catch {
            complete(job, with: .failure(TransportError(.other, "\(error)")), startedAt: started, attemptStart: attemptStart)
            return
        }
        transport.submit(request) { result in
            self.complete(job, with: result, startedAt: started, attemptStart: attemptStart)
        }
    }

    /// Decides what an attempt's outcome means and queues the result for the settler; runs on the
    /// transport's thread.
    nonisolated func complete(_ job: DeliveryJob, with result: Result<TransportResponse, TransportError>, startedAt started: Int64, attemptStart: ContinuousClock.Instant) {
        if case .failure(let error) = result, error.kind == .shutdown {
            // The transport stopped before or during the transfer: record nothing, it stays pending.
            finish(AttemptResult(job: job, records: [], outcome: .abandoned))
            return
        }
        metrics.attemptDuration.record(duration: attemptStart.duration(to: .now))
        let outcome: AttemptOutcome
        switch result {
        case .success(let response): outcome = .response(response)
        case .failure(let error): outcome = .failure(error)
        }
        let now = epochMillis()
        var random = PooledRandomGenerator()
        let decision = DeliveryDecision.decide(
            attempt: job.attempt - job.attemptBase, outcome: outcome, policy: settings.delivery.retryPolicy, unit: Double.random(in: 0..<1, using: &random), nowMillis: now
        )
        finish(AttemptResult(job: job, records: records(for: job, outcome: outcome, decision: decision, startedAt: started, now: now), outcome: .decided(decision)))
    }

    /// The signed POST for an attempt.
    nonisolated func request(for job: DeliveryJob, timestamp: Int64) throws -> TransportRequest {
        let subscription = job.subscription
        let signature = try WebhookSigner.header(
            secrets: subscription.signingSecrets(at: Date()), id: job.deliveryID, timestamp: timestamp, body: job.payload
        )
        var headers: [(name: String, value: String)] = [
            ("content-type", "application/json"),
            ("user-agent", settings.userAgent),
            ("webhook-id", job.deliveryID),
            ("webhook-timestamp", String(timestamp)),
            ("webhook-signature", signature),
        ]
        headers += subscription.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        var request = TransportRequest(
            url: subscription.url, headers: headers, body: job.payload,
            connectTimeout: settings.delivery.connectTimeout, totalTimeout: settings.delivery.timeout
        )
        request.allowsLoopback = settings.inspector?.isInspectorURL(subscription.url) == true
        return request
    }

    /// The journal records an attempt produces.
    nonisolated func records(for job: DeliveryJob, outcome: AttemptOutcome, decision: DeliveryDecision, startedAt: Int64, now: Int64) -> [JournalRecord] {
        var attempt = AttemptRecord(
            deliveryID: job.deliveryID, attempt: job.attempt, at: startedAt, durationMillis: max(0, now - startedAt), statusCode: 0, error: "",
            responseSnippet: [], nextAttemptAt: 0
        )
        switch outcome {
        case .response(let response):
            attempt.statusCode = response.statusCode
            attempt.durationMillis = response.duration.millis
            attempt.responseSnippet = Array(response.body.prefix(1024))
        case .failure(let error):
            attempt.error = error.description
            attempt.durationMillis = max(attempt.durationMillis, error.duration.millis)
        }
        switch decision {
        case .delivered:
            return [.attempted(attempt), .delivered(deliveryID: job.deliveryID, at: now)]
        case .retry(let delay, _):
            attempt.nextAttemptAt = now + delay.millis
            return [.attempted(attempt)]
        case .dead(let reason, _):
            return [.attempted(attempt), .dead(deliveryID: job.deliveryID, at: now, reason: reason)]
        }
    }

    /// Disables a subscription and returns the `webhook.disabled` event to send.
    func disableSubscription(_ subscriptionID: String, reason: String) async -> [WebhookEvent] {
        do {
            try await registry.disable(id: subscriptionID, reason: reason)
        } catch {
            logger.error("Could not disable subscription", metadata: ["webhook.subscription.id": "\(subscriptionID)", "error": "\(error)"])
            return []
        }
        settings.events?.publish(.webhookChanged(subscriptionID, "updated"))
        logger.info("Subscription disabled by the delivery engine", metadata: ["webhook.subscription.id": "\(subscriptionID)", "webhook.disabled.reason": "\(reason)"])
        return [WebhookEvent(type: WebhookEventType.webhookDisabled.name, data: ["subscription_id": .string(subscriptionID), "reason": .string(reason)])]
    }

    /// Journals a batch of attempt results in one append, then applies each: frees its slot, updates
    /// endpoint health, schedules retries; then sends the operational events they imply.
    func settle(_ batch: [AttemptResult]) async {
        do {
            let records = batch.flatMap(\.records)
            if !records.isEmpty { try await persist(records) }
        } catch {
            // Not durable: keep the deliveries pending and try again later rather than lose them.
            logger.error("Journal append failed", metadata: ["delivery.count": "\(batch.count)", "error": "\(error)"])
            let now = epochMillis()
            for result in batch { tryAgainLater(result.job, now: now) }
            wakeup.signal()
            return
        }
        let now = epochMillis()
        var operational: [WebhookEvent] = []
        var disable: [String: String] = [:]
        var tally = DeliveryCounters()
        for result in batch {
            let job = result.job
            if case .abandoned = result.outcome {
                tryAgainLater(job, now: now)
                continue
            }
            releaseSlot(of: job, now: now)
            let decision = result.decision
            if let decision {
                let health = updateHealth(job, decision: decision, now: now)
                operational += health.events
                // The decision's own reason first (410 Gone), then health's (failing too long); once per subscription.
                if let reason = decision.disableReason ?? health.disable, disable[job.subscription.id] == nil { disable[job.subscription.id] = reason }
            }
            if case .retry(let delay, _) = decision { schedule(job.deliveryID, at: now + delay.millis) }
            metrics.settled(DeliveryMetrics.Outcome(decision))
            tally.count(decision)
            logger.debug("Delivery attempt", metadata: ["delivery.id": "\(job.deliveryID)", "delivery.attempt": "\(job.attempt)", "webhook.subscription.id": "\(job.subscription.id)", "delivery.decision": "\(String(describing: decision))"])
        }
        publishCounters { $0.add(tally) }
        wakeup.signal()
        for (subscriptionID, reason) in disable.sorted(by: { $0.key < $1.key }) {
            operational += await disableSubscription(subscriptionID, reason: reason)
        }
        if !operational.isEmpty { _ = try? await accept(operational) }
    }

    /// An attempt that ended without a verdict (the transport stopped under it, or its result could
    /// not be journaled): its slot is freed and it stays pending, to go again in a second if the engine
    /// is not stopping; if it was its endpoint's half-open probe, the next request probes again.
    private func tryAgainLater(_ job: DeliveryJob, now: Int64) {
        releaseSlot(of: job, now: now)
        endpoints[job.subscription.id]?.breaker.probeAbandoned(now: now + 1000)
        schedule(job.deliveryID, at: now + 1000)
    }

    /// Breaker, failing-since and the operational events an attempt implies.
    /// - Returns: The operational events to send, and a reason to disable the subscription (failing too long).
    private func updateHealth(_ job: DeliveryJob, decision: DeliveryDecision, now: Int64) -> (events: [WebhookEvent], disable: String?) {
        let subscriptionID = job.subscription.id
        var endpoint = endpoints.removeValue(forKey: subscriptionID) ?? newEndpoint()
        let wasOpen = endpoint.breaker.isOpen
        defer {
            openCircuits += (endpoint.breaker.isOpen ? 1 : 0) - (wasOpen ? 1 : 0)
            endpoints[subscriptionID] = endpoint
        }
        var events: [WebhookEvent] = []
        if case .delivered = decision {
            endpoint.breaker.recordSuccess()
            if endpoint.failingSince != nil {
                events.append(WebhookEvent(type: WebhookEventType.deliveryRecovered.name, data: ["subscription_id": .string(subscriptionID), "failed_attempts": .number(Double(endpoint.failedAttempts))]))
            }
            endpoint.failingSince = nil
            endpoint.failedAttempts = 0
            return (events, nil)
        }
        endpoint.breaker.recordFailure(now: now)
        endpoint.failingSince = endpoint.failingSince ?? now
        endpoint.failedAttempts += 1
        if case .dead(let reason, nil) = decision, reason.hasPrefix("gave up") {
            events.append(WebhookEvent(type: WebhookEventType.deliveryExhausted.name, data: [
                "subscription_id": .string(subscriptionID), "delivery_id": .string(job.deliveryID),
                "event_type": .string(ledger.entries[job.deliveryID].flatMap { ledger.events[$0.record.eventID]?.type } ?? ""),
                "attempts": .number(Double(job.attempt)), "last_error": .string(reason),
            ]))
            if let since = endpoint.failingSince, now - since >= settings.delivery.disableAfterFailing.millis {
                let since = ISO8601.string(from: Date(timeIntervalSince1970: Double(since) / 1000))
                return (events, "failing without a success since \(since), with a delivery exhausted")
            }
        }
        return (events, nil)
    }
}

extension DeliveryCounters {
    /// Counts one settled attempt; no decision means settled dead without an attempt.
    mutating func count(_ decision: DeliveryDecision?) {
        guard let decision else { return dead += 1 }
        attempts += 1
        switch decision {
        case .delivered: delivered += 1
        case .retry: failedAttempts += 1
        case .dead:
            failedAttempts += 1
            dead += 1
        }
    }

    /// Adds the attempt counts of `other` (a batch's tally).
    mutating func add(_ other: DeliveryCounters) {
        attempts += other.attempts
        delivered += other.delivered
        failedAttempts += other.failedAttempts
        dead += other.dead
    }
}

extension DeliveryMetrics.Outcome {
    /// The outcome a decision records; no decision means settled dead without an attempt.
    init(_ decision: DeliveryDecision?) {
        switch decision {
        case .delivered: self = .delivered
        case .retry: self = .retrying
        case .dead, nil: self = .dead
        }
    }
}

extension DeliveryDecision {
    /// Why the subscription should be disabled, if this decision says so.
    var disableReason: String? {
        if case .dead(_, let reason) = self { return reason }
        return nil
    }
}
