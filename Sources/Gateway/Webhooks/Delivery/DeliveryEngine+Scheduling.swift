import DequeModule
import HeapModule

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One attempt the engine decided to start: everything the transfer needs, captured on the actor.
///
/// A class with constant fields: the job travels from the actor to the transport's callback, into the
/// settler's queue and back, and a struct holding a whole ``WebhookSubscription`` was copied field by
/// field (a dozen reference counts) at every step; now each step is one reference.
final class DeliveryJob: Sendable {
    let deliveryID: String
    let attempt: Int
    let attemptBase: Int
    let subscription: WebhookSubscription
    let payload: [UInt8]
    /// Set when the delivery cannot be attempted at all (subscription gone or disabled): settle it dead.
    let settleDead: String?

    init(deliveryID: String, attempt: Int, attemptBase: Int, subscription: WebhookSubscription, payload: [UInt8], settleDead: String?) {
        self.deliveryID = deliveryID
        self.attempt = attempt
        self.attemptBase = attemptBase
        self.subscription = subscription
        self.payload = payload
        self.settleDead = settleDead
    }
}

extension DeliveryEngine {
    /// Pops every due delivery that its endpoint and the global cap allow, marking them in flight.
    ///
    /// Held back, by cause: the global cap leaves the rest on the heap; the per-subscription cap and
    /// FIFO order park the delivery until a slot of that endpoint frees; an open circuit or an empty
    /// token bucket reschedules it for when that changes. So one slow or failing endpoint never
    /// delays another.
    func takeReady(now: Int64) -> [DeliveryJob] {
        var jobs: [DeliveryJob] = []
        let clockNow = ContinuousClock.now
        while inFlight.count < settings.delivery.maxInFlight, let top = heap.min, top.at <= now {
            heap.removeMin()
            // Superseded by a later schedule (or already taken, or forgotten): skip. Taken now: used up.
            guard let entry = ledger.takeSchedule(of: top.deliveryID, generation: top.generation) else { continue }
            guard entry.status == .pending, !inFlight.contains(top.deliveryID) else { continue }
            guard let event = ledger.events[entry.eventID] else { continue }
            let subscriptionID = entry.subscriptionID
            guard let subscription = registry.subscription(id: subscriptionID), subscription.enabled else {
                let reason = registry.subscription(id: subscriptionID) == nil ? "subscription deleted" : "subscription disabled"
                inFlight.insert(top.deliveryID)
                jobs.append(DeliveryJob(deliveryID: top.deliveryID, attempt: entry.attempts, attemptBase: entry.attemptBase, subscription: placeholder(subscriptionID), payload: [], settleDead: reason))
                continue
            }
            // Taken out of the dictionary while changed, so `parked` is not copied on append.
            var endpoint = endpoints.removeValue(forKey: subscriptionID) ?? newEndpoint()
            defer { endpoints[subscriptionID] = endpoint }
            let cap = subscription.delivery.ordering == .fifo ? 1 : (subscription.delivery.maxInFlight ?? settings.delivery.maxInFlightPerSubscription)
            if endpoint.inFlight >= cap || (subscription.delivery.ordering == .fifo && oldestPending(of: subscriptionID) != top.deliveryID) {
                endpoint.parked.append(top.deliveryID)
                continue
            }
            guard endpoint.breaker.allowsRequest(now: now) else {
                schedule(top.deliveryID, at: endpoint.breaker.reopensAt ?? now + 1000)
                continue
            }
            guard endpoint.takeToken(rate: subscription.delivery.rateLimitPerSecond, now: clockNow) else {
                schedule(top.deliveryID, at: now + max(1, 1000 / Int64(subscription.delivery.rateLimitPerSecond ?? 1)))
                continue
            }
            endpoint.inFlight += 1
            inFlight.insert(top.deliveryID)
            jobs.append(
                DeliveryJob(
                    deliveryID: top.deliveryID, attempt: entry.attempts + 1, attemptBase: entry.attemptBase, subscription: subscription,
                    payload: event.payload, settleDead: nil
                )
            )
        }
        if !jobs.isEmpty { publishCounters() }
        return jobs
    }

    /// Frees a slot of `subscriptionID` and wakes the oldest deliveries it had parked, one per free slot.
    ///
    /// Woken at the parked delivery's own (past) due time so that it goes ahead of
    /// deliveries that fell due since: waking every parked delivery on every release cost O(parked)
    /// per settle, quadratic for a backlog of one endpoint (15 000 parked took a minute of CPU).
    func releaseSlot(of job: DeliveryJob, now: Int64) {
        inFlight.remove(job.deliveryID)
        // A job that only settles a delivery of a deleted or disabled subscription never took one of
        // the endpoint's slots: freeing one would let the endpoint exceed its cap.
        guard job.settleDead == nil else { return }
        let subscriptionID = job.subscription.id
        guard var endpoint = endpoints.removeValue(forKey: subscriptionID) else { return }
        defer { endpoints[subscriptionID] = endpoint }
        endpoint.inFlight = max(0, endpoint.inFlight - 1)
        let subscription = registry.subscription(id: subscriptionID)
        if subscription?.delivery.ordering == .fifo {
            // Only the oldest pending delivery may go; wake it if it is parked (else it is in flight or
            // waiting for its retry, and its own release wakes the next).
            guard let oldest = oldestPending(of: subscriptionID), let index = endpoint.parked.firstIndex(of: oldest) else { return }
            endpoint.parked.remove(at: index)
            schedule(oldest, at: min(now, ledger.entries[oldest]?.record.nextAttemptAt ?? now))
            return
        }
        // As many as there are free slots (more than one when the cap was raised since they parked).
        let cap = subscription?.delivery.maxInFlight ?? settings.delivery.maxInFlightPerSubscription
        var free = max(1, cap - endpoint.inFlight)
        while free > 0, let id = endpoint.parked.popFirst() {
            guard let entry = ledger.entries[id], entry.status == .pending else { continue }
            schedule(id, at: min(now, entry.record.nextAttemptAt))
            free -= 1
        }
    }

    /// The subscription's oldest pending delivery (FIFO: only this one may go).
    func oldestPending(of subscriptionID: String) -> String? {
        ledger.bySubscription[subscriptionID]?.first { ledger.entries[$0]?.status == .pending }
    }

    func newEndpoint() -> EndpointState {
        EndpointState(
            breaker: CircuitBreaker(
                failureThreshold: settings.delivery.breakerThreshold,
                initialCooldownMillis: settings.delivery.breakerCooldown.millis,
                maximumCooldownMillis: max(settings.delivery.breakerCooldown.millis, 300_000)
            )
        )
    }

    /// A stand-in subscription for a job that only settles a delivery whose subscription is gone.
    private func placeholder(_ id: String) -> WebhookSubscription {
        WebhookSubscription(id: id, url: "", events: [], description: "", secret: "", createdAt: .init(), updatedAt: .init())
    }
}
