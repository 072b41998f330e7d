import HeapModule
public import Logging
public import ServiceLifecycle
import Synchronization

/// Owns delivery timing: the first attempt at once, retries per ``RetryPolicy``, per-endpoint
/// in-flight caps, rate limits, circuit breakers and FIFO order, and a global in-flight cap.
///
/// An actor because its state (the ``DeliveryLedger``, the timer heap, endpoint health) changes
/// across suspension points (journal appends); transfers run in the transport, which calls back
/// into a queue the engine's settler drains in batches, so the hub and the REST routes never wait
/// on the network. Every state
/// change is first appended to the ``DeliveryJournal`` and then applied to the ledger, so a
/// restart rebuilds the same pending set (at-least-once: a delivery leaves the journal only when
/// it succeeded or died).
public actor DeliveryEngine: Service {
    /// What the engine needs beyond its collaborators.
    public struct Settings: Sendable {
        public var delivery: GatewayConfiguration.Delivery
        public var userAgent: String
        /// Where delivery changes are announced (the UI's live log).
        public var events: AdminEventStream?
        /// The gateway's own inspector URLs, delivered to over loopback.
        public var inspector: InspectorAddress?
        /// Where events, attempt outcomes and attempt latency are recorded (`nil`: nowhere).
        public var metrics: GatewayMetrics?

        public init(
            delivery: GatewayConfiguration.Delivery, userAgent: String, events: AdminEventStream? = nil, inspector: InspectorAddress? = nil,
            metrics: GatewayMetrics? = nil
        ) {
            self.delivery = delivery
            self.userAgent = userAgent
            self.events = events
            self.inspector = inspector
            self.metrics = metrics
        }
    }

    let settings: Settings
    let registry: any WebhookRegistry
    let transport: any WebhookTransport
    let journal: any DeliveryJournal
    let logger: Logger
    nonisolated let metrics: DeliveryMetrics
    let wakeup = WakeupSignal()
    /// Read by `/stats` without waiting for the actor.
    nonisolated let counters = Mutex(DeliveryCounters())
    /// Signalled whenever the counters change (tests and benchmarks wait on it).
    public nonisolated let countersChanged = WakeupSignal()

    /// The current figures, without waiting for the engine.
    public nonisolated var statistics: DeliveryCounters { counters.withLock { $0 } }
    private let stopping = Mutex(false)

    /// Attempts finished and not yet settled (see ``settleFinished()``).
    nonisolated let finished = Mutex<[AttemptResult]>([])
    nonisolated let settlerWakeup = WakeupSignal()
    var settlerStopping = false

    var ledger = DeliveryLedger()
    var heap = Heap<DueDelivery>()
    /// A heap entry counts only while its generation is its delivery's `schedule` in the ledger (a later
    /// schedule supersedes it). Generations are unique across all deliveries and never reused (0:
    /// recovered at start-up), so a superseded heap entry can never match a later schedule.
    var lastGeneration = 0
    var endpoints: [String: EndpointState] = [:]
    /// Endpoints whose breaker is open or half-open, kept as breakers change (counting them on every
    /// settle cost O(endpoints)).
    var openCircuits = 0
    var inFlight: Set<String> = []
    var accepting = true
    var lastMaintenance = ContinuousClock.now
    /// Journal bytes the last compaction left: the next one waits until the journal is twice that,
    /// so a large pending set is not rewritten over and over.
    var compactedBytes = 0
    /// Records handed to the journal but not yet applied to the ledger, by append order. A compaction
    /// snapshot includes them, so a record durable in a segment that compaction deletes is never lost.
    var unapplied: [Int: [JournalRecord]] = [:]
    var nextAppend = 0

    /// Creates the engine from the records recovered from the journal.
    public init(
        settings: Settings,
        registry: any WebhookRegistry,
        transport: any WebhookTransport,
        journal: any DeliveryJournal,
        recovered: [JournalRecord],
        logger: Logger
    ) {
        self.settings = settings
        self.metrics = settings.metrics?.delivery ?? .disabled
        self.registry = registry
        self.transport = transport
        self.journal = journal
        self.logger = logger
        var ledger = DeliveryLedger()
        for record in recovered { ledger.apply(record) }
        ledger.prune(now: epochMillis(), retentionMillis: settings.delivery.retention.millis, maxRetained: settings.delivery.maxRetained)
        self.ledger = ledger
        var heap = Heap<DueDelivery>()
        for entry in ledger.entries.values where entry.status == .pending {
            heap.insert(DueDelivery(at: entry.record.nextAttemptAt, deliveryID: entry.record.deliveryID, generation: 0))
        }
        self.heap = heap
        let journalBytes = journal.totalBytes
        counters.withLock {
            $0.pending = heap.count
            $0.journalBytes = journalBytes
        }
        if !heap.isEmpty { logger.info("Pending deliveries recovered", metadata: ["delivery.pending": "\(heap.count)"]) }
    }

    /// Runs attempts as they come due until graceful shutdown; then stops starting new ones, waits
    /// `deliveries.shutdownGraceSeconds` for those in flight, and leaves the rest pending in the journal.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.settleFinished() }
            await withGracefulShutdownHandler {
                // `wait` returns at once in a cancelled task: check cancellation too, or this loop spins.
                while !stopping.withLock({ $0 }), !Task.isCancelled {
                    for job in takeReady(now: epochMillis()) { start(job) }
                    await maintainIfDue()
                    await wakeup.wait(for: nextWake())
                }
            } onGracefulShutdown: {
                self.stopping.withLock { $0 = true }
                self.wakeup.signal()
            }
            accepting = false
            // One last round for what is due now (the dispatcher's `server-status: shutdown` among it),
            // then only the grace period for everything in flight.
            for job in takeReady(now: epochMillis()) { start(job) }
            let grace = settings.delivery.shutdownGrace
            let drained = (try? await withDeadline(grace) { await self.waitUntilIdle() }) != nil
            stopSettler()
            if !drained { group.cancelAll() }
            logger.info(
                "Delivery engine stopped",
                metadata: ["delivery.pending": "\(ledger.pendingCount)", "delivery.inflight.abandoned": "\(drained ? 0 : inFlight.count)"]
            )
        }
    }

    /// Returns when nothing is in flight.
    private func waitUntilIdle() async {
        while !inFlight.isEmpty, !Task.isCancelled { await wakeup.wait(for: .milliseconds(50)) }
    }

    /// How long the loop may sleep: until the earliest due delivery (capped so maintenance runs).
    ///
    /// With every global slot taken, due deliveries cannot start anyway: sleep until a settle signals
    /// (sleeping until the earliest due time, already past, made this loop spin).
    private func nextWake() -> Duration? {
        let interval = settings.delivery.maintenanceInterval.millis
        guard inFlight.count < settings.delivery.maxInFlight, let next = heap.min?.at else { return .milliseconds(interval) }
        return .milliseconds(min(interval, max(0, next - epochMillis())))
    }

    /// Every `journal.maintenanceIntervalSeconds`: forget settled deliveries past retention, and
    /// compact the journal once it is larger than `journal.compactAfterBytes` and than twice what
    /// the last compaction left.
    private func maintainIfDue() async {
        guard lastMaintenance.duration(to: .now) >= settings.delivery.maintenanceInterval else { return }
        lastMaintenance = .now
        ledger.prune(now: epochMillis(), retentionMillis: settings.delivery.retention.millis, maxRetained: settings.delivery.maxRetained)
        forgetDeletedEndpoints()
        let bytes = journal.totalBytes
        publishCounters { $0.journalBytes = bytes }
        guard bytes > max(settings.delivery.compactAfterBytes, 2 * compactedBytes) else { return }
        do {
            let inFlight = unapplied.sorted { $0.key < $1.key }.flatMap(\.value)
            // Queued on this actor before it suspends (``DeliveryJournal`` is `nonisolated(nonsending)`),
            // so no append made after this snapshot can land before it, in a segment it deletes.
            try await journal.compact(keeping: ledger.snapshot() + inFlight)
            compactedBytes = journal.totalBytes
            logger.info("Journal compacted", metadata: ["journal.bytes.before": "\(bytes)", "journal.bytes": "\(compactedBytes)"])
            publishCounters {
                $0.journalBytes = self.compactedBytes
                $0.compactions += 1
            }
        } catch {
            logger.error("Journal compaction failed", metadata: ["error": "\(error)"])
        }
    }

    /// Drops the health and slot state of deleted subscriptions with nothing in flight or parked (it was
    /// kept for every subscription ever delivered to, for the life of the process).
    func forgetDeletedEndpoints() {
        let gone = endpoints.filter { $0.value.inFlight == 0 && $0.value.parked.isEmpty && registry.subscription(id: $0.key) == nil }
        for (id, endpoint) in gone {
            if endpoint.breaker.isOpen { openCircuits -= 1 }
            endpoints[id] = nil
        }
        if !gone.isEmpty { publishCounters() }
    }

    /// Makes `records` durable, then applies them to the ledger: the only way the engine changes state.
    func persist(_ records: [JournalRecord]) async throws {
        let token = nextAppend
        nextAppend += 1
        unapplied[token] = records
        defer { unapplied[token] = nil }
        try await journal.append(records)
        for record in records { ledger.apply(record) }
        announce(records)
    }

    /// Publishes the summary of every delivery `records` touched, when the UI listens.
    private func announce(_ records: [JournalRecord]) {
        guard let events = settings.events, events.isObserved else { return }
        var seen = Set<String>()
        for record in records {
            let id: String
            switch record {
            case .enqueued(let delivery): id = delivery.deliveryID
            case .attempted(let attempt): id = attempt.deliveryID
            case .delivered(let deliveryID, _), .dead(let deliveryID, _, _): id = deliveryID
            case .event, .idempotencyKey: continue
            }
            guard seen.insert(id).inserted, let summary = try? summary(id) else { continue }
            events.publish(.init(name: "delivery", json: AdminJSON.encode(summary)))
        }
    }

    /// Puts a delivery on the timer heap at `at` (ms), superseding any earlier schedule.
    func schedule(_ deliveryID: String, at: Int64) {
        lastGeneration += 1
        ledger.setSchedule(lastGeneration, of: deliveryID)
        heap.insert(DueDelivery(at: at, deliveryID: deliveryID, generation: lastGeneration))
    }

    /// Refreshes the counters `/stats` reads.
    func publishCounters(_ change: (inout DeliveryCounters) -> Void = { _ in }) {
        let pending = ledger.pendingCount
        let open = openCircuits
        let flying = inFlight.count
        counters.withLock {
            change(&$0)
            $0.pending = pending
            $0.inFlight = flying
            $0.openCircuits = open
        }
        countersChanged.signal()
    }
}
