import Configuration
import Foundation
@testable import Gateway
import Logging
import ServiceLifecycle
import Testing

/// The engine with a real file registry, an in-memory journal and a scripted transport.
@Suite struct DeliveryEngineTests {
    struct Harness {
        var registry: FileWebhookRegistry
        var journal: MemoryJournal
        var transport: ScriptedTransport
        var engine: DeliveryEngine
    }

    /// Runs `body` with an engine whose `run()` loop is live, then shuts it down gracefully.
    func withEngine<Value: Sendable>(
        script: [String: [Result<TransportResponse, TransportError>]] = [:],
        recovered: [JournalRecord] = [],
        registryDirectory: String = TestConfig.temporaryDirectory(),
        journal: MemoryJournal = MemoryJournal(),
        settings: [String: ConfigContent] = [:],
        _ body: @Sendable (Harness) async throws -> Value
    ) async throws -> Value {
        let configuration = try GatewayConfiguration(reader: TestConfig.reader(TestAdmin.overrides))
        let registry = try await FileWebhookRegistry(directory: registryDirectory, rules: SubscriptionRules(limits: configuration.webhooks), logger: silentLogger)
        let transport = ScriptedTransport(script)
        let engine = DeliveryEngine(settings: try fastDeliverySettings(settings), registry: registry, transport: transport, journal: journal, recovered: recovered, logger: silentLogger)
        let harness = Harness(registry: registry, journal: journal, transport: transport, engine: engine)
        let group = ServiceGroup(configuration: .init(services: [engine], logger: silentLogger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            defer { tasks.cancelAll() }
            let value = try await body(harness)
            await group.triggerGracefulShutdown()
            try await tasks.next()
            try await registry.shutdown()
            return value
        }
    }

    private func waitUntil(_ engine: DeliveryEngine, _ condition: @Sendable @escaping (DeliveryCounters) -> Bool) async throws {
        try await withDeadline(.seconds(10)) {
            while !condition(engine.statistics), !Task.isCancelled { await engine.countersChanged.wait(for: .milliseconds(100)) }
        }
    }

    @Test func theDispatcherQueuesOnlyTheHubEventsThatASubscriptionWants() async throws {
        try await withEngine { harness in
            _ = try await harness.registry.create(WebhookInput(url: "https://a.example/hook", events: ["client-connected"]))
            // Not run: what it queues stays queued, so the queue shows what each event cost the hub.
            let dispatcher = Dispatcher(engine: harness.engine, capacity: 10, logger: silentLogger)
            let message = BroadcastMessage(message: "nobody wants this", sender: "api", messageType: "api_broadcast")
            dispatcher.hubEmitted(.messageBroadcast(message, source: .websocket, recipients: 3))
            #expect(dispatcher.queuedEvents == 0, "no subscription wants message-broadcast")
            dispatcher.hubEmitted(.clientConnected(clientID: "c1", clientNumber: 1, totalConnections: 1, at: Date()))
            #expect(dispatcher.queuedEvents == 1)
            #expect(dispatcher.droppedEvents == 0)
        }
    }

    @Test func anEventIsDeliveredSignedToEveryMatchingSubscription() async throws {
        try await withEngine { harness in
            let a = try await harness.registry.create(WebhookInput(url: "https://a.example/hook"))
            _ = try await harness.registry.create(WebhookInput(url: "https://b.example/hook", events: ["client-connected"]))
            let event = WebhookEvent(type: "message-broadcast", data: ["message": "hi"])
            let created = try await harness.engine.accept([event])
            #expect(created[event.id]?.count == 1)
            let request = try #require(try await harness.transport.requests.next())
            #expect(request.url == "https://a.example/hook")
            let id = try #require(request.headers["webhook-id"])
            let timestamp = try #require(request.headers["webhook-timestamp"].flatMap { Int64($0) })
            #expect(WebhookSigner.verify(header: request.headers["webhook-signature"] ?? "", secret: a.secret, id: id, timestamp: timestamp, body: request.body))
            #expect(request.headers["content-type"] == "application/json")
            let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
            #expect(body["type"] as? String == "message-broadcast")
            #expect((body["data"] as? [String: Any])?["message"] as? String == "hi")
            try await waitUntil(harness.engine) { $0.delivered == 1 }
        }
    }

    @Test func failuresAreRetriedWithTheSameWebhookIDUntilOneSuccess() async throws {
        let url = "https://flaky.example/hook"
        let script: [String: [Result<TransportResponse, TransportError>]] = [
            url: [.success(.status(500)), .failure(TransportError(.connectionFailed, "reset")), .success(.status(503, headers: ["retry-after": "0"]))]
        ]
        try await withEngine(script: script) { harness in
            _ = try await harness.registry.create(WebhookInput(url: url))
            try await harness.engine.accept([WebhookEvent(type: "client-connected", data: [:])])
            try await waitUntil(harness.engine) { $0.delivered == 1 }
            let ids = Set(harness.transport.received.compactMap { $0.headers["webhook-id"] })
            #expect(harness.transport.received.count == 4)
            #expect(ids.count == 1)
            let page = await harness.engine.deliveries(subscriptionID: nil, status: .delivered, cursor: nil, limit: 10)
            #expect(page.items.first?.attempts == 4)
            let detail = try await harness.engine.delivery(id: try #require(ids.first))
            #expect(detail.attempts.map(\.statusCode) == [500, nil, 503, 200])
        }
    }

    @Test func aTransferTheTransportStoppedUnderStaysPendingAndIsNotCountedAsAnAttempt() async throws {
        let url = "https://interrupted.example/hook"
        let script: [String: [Result<TransportResponse, TransportError>]] = [url: [.failure(TransportError(.shutdown, "the transport shut down"))]]
        try await withEngine(script: script) { harness in
            _ = try await harness.registry.create(WebhookInput(url: url))
            try await harness.engine.accept([WebhookEvent(type: "client-connected", data: [:])])
            // The cut transfer leaves no trace: the same delivery goes again and succeeds at its first recorded attempt.
            try await waitUntil(harness.engine) { $0.delivered == 1 }
            let ids = harness.transport.received.compactMap { $0.headers["webhook-id"] }
            #expect(ids.count == 2 && Set(ids).count == 1)
            let detail = try await harness.engine.delivery(id: try #require(ids.first))
            #expect(detail.attempts.map(\.statusCode) == [200])
            #expect(harness.engine.statistics.failedAttempts == 0)
            #expect(harness.engine.statistics.attempts == 1)
        }
    }

    @Test func settledDeliveriesLeaveNoSchedulingStateBehind() async throws {
        // Every delivery used to leave an entry in a schedule dictionary of the engine forever: memory that
        // grew with every delivery ever made. Now the schedule lives in the ledger entry (pruned with it)
        // and is used up when taken; retries included, no delivery is left scheduled once all are settled.
        let url = "https://many.example/hook"
        try await withEngine(script: [url: [.success(.status(500)), .success(.status(503))]]) { harness in
            _ = try await harness.registry.create(WebhookInput(url: url))
            for batch in 0..<5 {
                try await harness.engine.accept((0..<40).map { WebhookEvent(type: "client-connected", data: ["n": .number(Double(batch * 40 + $0))]) })
            }
            try await waitUntil(harness.engine) { $0.delivered == 200 }
            #expect(await harness.engine.ledger.entries.values.allSatisfy { $0.schedule == -1 })
            #expect(harness.engine.statistics.failedAttempts == 2)
        }
    }

    @Test func aDeletedSubscriptionsEndpointStateIsForgottenByMaintenance() async throws {
        let url = "https://deleted.example/hook"
        try await withEngine(settings: ["journal.maintenanceIntervalSeconds": .double(0.05)]) { harness in
            let kept = try await harness.registry.create(WebhookInput(url: "https://kept.example/hook"))
            let deleted = try await harness.registry.create(WebhookInput(url: url))
            try await harness.engine.accept([WebhookEvent(type: "client-connected", data: [:])])
            try await waitUntil(harness.engine) { $0.delivered == 2 }
            try await harness.registry.delete(id: deleted.id)
            try await withDeadline(.seconds(5)) {
                while await harness.engine.endpoints[deleted.id] != nil, !Task.isCancelled { await harness.engine.countersChanged.wait(for: .milliseconds(20)) }
            }
            #expect(await harness.engine.endpoints[deleted.id] == nil)
            #expect(await harness.engine.endpoints[kept.id] != nil, "a live subscription keeps its state")
        }
    }

    @Test func goneDisablesTheSubscription() async throws {
        let url = "https://gone.example/hook"
        try await withEngine(script: [url: [.success(.status(410))]]) { harness in
            let subscription = try await harness.registry.create(WebhookInput(url: url))
            try await harness.engine.accept([WebhookEvent(type: "client-connected", data: [:])])
            try await waitUntil(harness.engine) { $0.dead == 1 }
            try await withDeadline(.seconds(5)) {
                while harness.registry.subscription(id: subscription.id)?.enabled == true, !Task.isCancelled { await harness.engine.countersChanged.wait(for: .milliseconds(20)) }
            }
            #expect(harness.registry.subscription(id: subscription.id)?.disabledReason?.contains("410") == true)
        }
    }

    @Test func theJournalReplaysIntoTheSamePendingSet() async throws {
        let url = "https://down.example/hook"
        let failures = Array(repeating: Result<TransportResponse, TransportError>.failure(TransportError(.connectionFailed, "down")), count: 100)
        let directory = TestConfig.temporaryDirectory()
        let records = try await withEngine(script: [url: failures], registryDirectory: directory) { harness in
            _ = try await harness.registry.create(WebhookInput(url: url))
            try await harness.engine.accept([WebhookEvent(type: "client-connected", data: [:])])
            try await waitUntil(harness.engine) { $0.failedAttempts >= 1 }
            return harness.journal.all
        }
        #expect(records.contains { if case .enqueued = $0 { true } else { false } })
        try await withEngine(recovered: records, registryDirectory: directory) { harness in
            try await waitUntil(harness.engine) { $0.delivered == 1 }
            #expect(harness.transport.received.count == 1)
        }
    }

    /// A compaction must be queued at the instant of its snapshot: were the journal called off the
    /// engine's actor, a delivery settled in between would be appended before the snapshot and lost
    /// with the old segments (it came back pending after a restart and was sent twice).
    @Test func journalCallsStartOnTheEnginesActorSoACompactionIsQueuedAtItsSnapshot() async throws {
        let journal = MemoryJournal(totalBytes: 1 << 20)
        let settings: [String: ConfigContent] = ["journal.compactAfterBytes": .int(64 << 10), "journal.maintenanceIntervalSeconds": .double(0.01)]
        try await withEngine(journal: journal, settings: settings) { harness in
            _ = try await harness.registry.create(WebhookInput(url: "https://a.example/hook"))
            try await harness.engine.accept([WebhookEvent(type: "client-connected", data: [:])])
            try await waitUntil(harness.engine) { $0.delivered == 1 && $0.compactions == 1 }
            // An accept, a settle and a compaction, each started on the engine (not after a hop to the global executor).
            #expect(journal.callers.count == 3)
            #expect(journal.callers.allSatisfy { $0 == ObjectIdentifier(harness.engine) })
        }
    }
}
