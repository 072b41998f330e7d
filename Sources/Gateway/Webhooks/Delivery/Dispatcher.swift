public import Logging
public import ServiceLifecycle
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The bridge from the hub to the delivery engine.
///
/// The hub hands every event to ``hubEmitted(_:)``, which drops it if no subscription wants its
/// type (counted as accepted) and otherwise only appends it to a bounded in-memory queue and
/// returns: the hub never waits on disk or network. Whether a subscription wants it is decided then,
/// when the event happens: a subscription created a moment later does not receive it. The queue's bound is
/// `dispatcher.queueCapacity`; **overflow policy: drop the newest event and count it**
/// (`events_dropped` in `/stats`, a warning in the log) — blocking the hub would stall every
/// WebSocket client instead. The run loop turns queued events into journaled deliveries in batches
/// (one group commit per batch). `POST /broadcast` does not use the queue: it calls
/// ``dispatchNow(_:)`` and answers only once its deliveries are in the journal.
///
/// It also sends `server-status` at start-up and at shutdown.
public final class Dispatcher: HubEventSink, Service {
    /// Hub events waiting to be journaled, and how many were dropped because the queue was full.
    private struct Queue {
        var events: [HubEvent] = []
        var dropped = 0
    }

    private let engine: DeliveryEngine
    private let capacity: Int
    private let logger: Logger
    private let queue = Mutex(Queue())
    private let wakeup = WakeupSignal()
    /// Largest number of events journaled in one append.
    static let batchSize = 1024

    /// - Parameter capacity: `dispatcher.queueCapacity`, the bound of the event queue.
    public init(engine: DeliveryEngine, capacity: Int, logger: Logger) {
        self.engine = engine
        self.capacity = capacity
        self.logger = logger
    }

    /// Events dropped because the queue was full.
    public var droppedEvents: Int { queue.withLock { $0.dropped } }

    /// Events waiting to be journaled.
    public var queuedEvents: Int { queue.withLock { $0.events.count } }

    /// Queues `event` for the run loop, unless no subscription wants its type (then it is counted as
    /// accepted and dropped here: the hub's hottest path pays one registry lookup for it).
    public func hubEmitted(_ event: HubEvent) {
        let type = event.webhookEventType
        guard engine.wantsEvents(ofType: type) else {
            engine.acceptedUnwanted(type: type)
            return
        }
        let accepted = queue.withLock { queue -> Bool in
            guard queue.events.count < capacity else {
                queue.dropped += 1
                return false
            }
            queue.events.append(event)
            return true
        }
        if accepted { wakeup.signal() } else { logger.warning("Dispatcher queue full; event dropped", metadata: ["dispatcher.capacity": "\(capacity)"]) }
    }

    /// Journals `event`'s deliveries now; returns once they are durable.
    public func dispatchNow(_ event: HubEvent, answer: IdempotencyRecord? = nil) async throws {
        try await engine.accept([WebhookEvent(event)], answer: answer)
    }

    /// The durable answer to an `Idempotency-Key` given in the last 24 hours (it survives restarts).
    public func idempotencyAnswer(for key: String) async -> IdempotencyRecord? {
        await engine.idempotencyAnswer(for: key)
    }

    /// Drains the queue until graceful shutdown, then drains it once more and sends `server-status: shutdown`.
    public func run() async throws {
        await send(WebhookEvent(type: WebhookEventType.serverStatus.name, data: ["status": "startup", "version": .string(GatewayVersion.current)]))
        await cancelWhenGracefulShutdown { await self.loop() }
        await drain()
        await send(WebhookEvent(type: WebhookEventType.serverStatus.name, data: ["status": "shutdown", "version": .string(GatewayVersion.current)]))
    }

    /// Drains on every wake-up.
    private func loop() async {
        while !Task.isCancelled {
            await drain()
            await wakeup.wait(for: nil)
        }
    }

    /// Journals everything queued, in batches.
    private func drain() async {
        while true {
            let batch = queue.withLock { queue -> [HubEvent] in
                let batch = Array(queue.events.prefix(Self.batchSize))
                queue.events.removeFirst(batch.count)
                return batch
            }
            guard !batch.isEmpty else { return }
            do {
                try await engine.accept(batch.map(WebhookEvent.init))
            } catch {
                logger.error("Could not journal hub events", metadata: ["dispatcher.batch": "\(batch.count)", "error": "\(error)"])
                return
            }
        }
    }

    private func send(_ event: WebhookEvent) async {
        do {
            try await engine.accept([event])
        } catch {
            logger.error("Could not journal event", metadata: ["event.type": "\(event.type)", "error": "\(error)"])
        }
    }

}

/// The gateway's version, in `user-agent`, `server-status` and `/info`.
public enum GatewayVersion {
    public static let current = "0.1.0"
}
