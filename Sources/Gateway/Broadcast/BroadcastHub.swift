public import Logging
import Metrics
import NIOCore
public import ServiceLifecycle
import Synchronization

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The WebSocket hub: who is connected, and fan-out of messages to them.
///
/// Fan-out encodes a message once and enqueues the same bytes into every client's bounded
/// ``ClientOutbox`` under one short lock, so every client sees broadcasts in the same order and a
/// slow client is evicted instead of slowing anyone down. The hub emits ``HubEvent``s to its sink
/// and knows nothing of what consumes them.
///
/// `Mutex` rather than an actor: every operation is a short synchronous section (insert, remove,
/// enqueue into non-blocking outboxes), called from many connection tasks at once.
public final class BroadcastHub: Service {
    /// The connected clients and the counters, guarded by one `Mutex`.
    private struct State {
        var clients: [String: HubClient] = [:]

        /// The clients in connection order (by their number): computed only for `client_indices`
        /// and `/info`, so that connect and disconnect stay O(1) in a 10 000-client storm.
        var ordered: [HubClient] { clients.values.sorted { $0.number < $1.number } }
        var connectionsCreated = 0
        var connectionsRefused = 0
        var messagesSent = 0
        var framesSent = 0
        var messagesReceived = 0
        var framesDropped = 0
        var clientsEvicted = 0
        var isShuttingDown = false
    }

    private let configuration: GatewayConfiguration.Broadcast
    private let events: any HubEventSink
    private let logger: Logger
    private let metrics: HubMetrics
    private let state = Mutex(State())
    /// Where connections' writers wait for their event loop (one run per loop per broadcast).
    let drainQueues: DrainQueues
    /// Signalled when the last client leaves during shutdown.
    private let emptied = WakeupSignal()
    /// When the hub started, for `uptime_seconds`.
    public let startedAt: Date

    /// Creates a hub.
    /// - Parameters:
    ///   - configuration: Limits for connections and their outboxes.
    ///   - events: Receives every ``HubEvent``; must not block.
    ///   - logger: Lifecycle at `info`, per-connection at `debug`.
    ///   - metrics: Where connections, messages, evictions and fan-out time are recorded (`nil`: nowhere).
    public init(configuration: GatewayConfiguration.Broadcast, events: any HubEventSink, logger: Logger, metrics: GatewayMetrics? = nil) {
        self.configuration = configuration
        self.drainQueues = DrainQueues(writeDelay: configuration.writeDelay)
        self.events = events
        self.logger = logger
        self.metrics = metrics?.hub ?? .disabled
        self.startedAt = Date()
    }

    /// Runs until graceful shutdown, then closes every client still connected with 1001 and waits until
    /// they are gone (at most `broadcast.closeTimeout` and a little), so that their
    /// `client-disconnected` events are dispatched while the webhook services still run. Connections
    /// have no task of their own for the server to wait for.
    public func run() async throws {
        try? await gracefulShutdown()
        let remaining = state.withLock { state -> [HubClient] in
            state.isShuttingDown = true
            return Array(state.clients.values)
        }
        for client in remaining {
            client.outbox.requestClose(code: HubCloseCode.goingAway, reason: "server shutting down")
        }
        let deadline = ContinuousClock.now + configuration.closeTimeout + .milliseconds(250)
        while !Task.isCancelled, state.withLock({ !$0.clients.isEmpty }), ContinuousClock.now < deadline {
            await emptied.wait(for: ContinuousClock.now.duration(to: deadline))
        }
        let left = state.withLock { $0.clients.count }
        logger.info("Broadcast hub stopped", metadata: ["ws.clients.closed": "\(remaining.count - left)", "ws.clients.dropped": "\(left)"])
    }

    /// Whether the hub has stopped taking connections.
    var isShuttingDown: Bool { state.withLock { $0.isShuttingDown } }

    /// Registers a connection, queues its welcome and emits `clientConnected`.
    /// - Parameter requestedID: The id from `/ws/{client_id}`; if taken, a `-N` suffix makes it unique.
    /// - Returns: `nil` when the hub is full or shutting down.
    public func connect(requestedID: String?) -> HubClient? {
        let now = Date()
        let outbox = ClientOutbox(limits: .init(frames: configuration.outboxFrames, bytes: configuration.outboxBytes))
        let registered = state.withLock { state -> (HubClient, Int)? in
            guard !state.isShuttingDown, state.clients.count < configuration.maxConnections else {
                state.connectionsRefused += 1
                return nil
            }
            state.connectionsCreated += 1
            let number = state.connectionsCreated
            let id = Self.uniqueID(requestedID ?? "client-\(number)", taken: state.clients)
            let client = HubClient(id: id, number: number, connectedAt: now, outbox: outbox)
            state.clients[id] = client
            return (client, state.clients.count)
        }
        guard let (client, total) = registered else {
            metrics.connectionsRefused.increment()
            return nil
        }
        metrics.connectionsOpened.increment()
        let welcome = BroadcastMessage(
            message: "Welcome! You are client #\(client.number)",
            sender: "System",
            messageType: BroadcastMessage.Kind.welcome,
            timestamp: now,
            clientID: client.id
        )
        _ = client.send(welcome.wireFrame())
        logger.debug("Client connected", metadata: ["ws.client.id": "\(client.id)", "ws.clients": "\(total)"])
        events.hubEmitted(.clientConnected(clientID: client.id, clientNumber: client.number, totalConnections: total, at: now))
        return client
    }

    /// Removes a connection and emits `clientDisconnected`. Safe to call more than once.
    public func disconnect(_ client: HubClient, reason: DisconnectReason) {
        client.outbox.finish()
        let left = state.withLock { state -> (remaining: Int, shuttingDown: Bool)? in
            guard state.clients[client.id] === client else { return nil }
            state.clients[client.id] = nil
            return (state.clients.count, state.isShuttingDown)
        }
        guard let (remaining, shuttingDown) = left else { return }
        if remaining == 0, shuttingDown { emptied.signal() }
        logger.debug("Client disconnected", metadata: ["ws.client.id": "\(client.id)", "ws.close.reason": "\(reason.rawValue)"])
        events.hubEmitted(.clientDisconnected(clientID: client.id, reason: reason, remainingConnections: remaining, at: Date()))
    }

    /// Counts a message received from a client.
    func received(from client: HubClient) {
        client.countIn()
        state.withLock { $0.messagesReceived += 1 }
        metrics.messagesReceived.increment()
    }

    /// Sends `message` to every client (encoded once); emits `messageBroadcast` for WebSocket traffic
    /// (the caller of an API broadcast dispatches the event itself, durably).
    /// - Returns: How many clients it was queued for.
    @discardableResult
    public func broadcast(_ message: BroadcastMessage, source: MessageSource) -> Int {
        deliver(message, source: source) { state in Array(state.clients.values) }
    }

    /// Sends `message` to the clients with these ids; unknown ids are ignored.
    @discardableResult
    public func send(_ message: BroadcastMessage, toClientIDs ids: [String], source: MessageSource) -> Int {
        deliver(message, source: source) { state in Set(ids).compactMap { state.clients[$0] } }
    }

    /// Sends `message` to clients by position in connection order (the seed's `client_indices`).
    @discardableResult
    public func send(_ message: BroadcastMessage, toIndices indices: [Int], source: MessageSource) -> Int {
        deliver(message, source: source) { state in
            let ordered = state.ordered
            return Set(indices).compactMap { ordered.indices.contains($0) ? ordered[$0] : nil }
        }
    }

    /// Sends a reply to one client only (pong, errors); emits no event.
    func reply(_ message: BroadcastMessage, to client: HubClient) {
        _ = client.send(message.wireFrame())
    }

    /// Encodes once, enqueues to the chosen clients under the lock (one global order), evicts overflowing ones.
    private func deliver(
        _ message: BroadcastMessage,
        source: MessageSource,
        recipients choose: (State) -> [HubClient]
    ) -> Int {
        let started = ContinuousClock.now
        let frame = message.wireFrame()
        let (count, rejected, evicted) = state.withLock { state -> (Int, Int, [HubClient]) in
            var queued = 0
            var rejected = 0
            var evicted: [HubClient] = []
            for client in choose(state) {
                switch client.send(frame) {
                case .queued: queued += 1
                case .overflowed: evicted.append(client)
                case .rejected: rejected += 1
                }
            }
            state.messagesSent += 1
            state.framesSent += queued
            state.framesDropped += rejected + evicted.count
            state.clientsEvicted += evicted.count
            return (queued, rejected, evicted)
        }
        metrics.fanOutDuration.record(duration: started.duration(to: .now))
        metrics.messagesFannedOut.increment()
        metrics.framesSent.increment(by: count)
        if rejected + evicted.count > 0 {
            metrics.framesDropped.increment(by: rejected + evicted.count)
            metrics.clientsEvicted.increment(by: evicted.count)
        }
        for client in evicted {
            logger.info("Slow client evicted", metadata: ["ws.client.id": "\(client.id)", "ws.close.code": "\(HubCloseCode.evicted)"])
        }
        // API broadcasts are made durable by their route before it answers; only the hub's own
        // traffic goes through the non-blocking sink.
        if source == .websocket { events.hubEmitted(.messageBroadcast(message, source: source, recipients: count)) }
        return count
    }

    /// Figures for `/stats`.
    public func statistics() -> HubStatistics {
        state.withLock { state in
            HubStatistics(
                activeConnections: state.clients.count,
                totalConnectionsCreated: state.connectionsCreated,
                connectionsRefused: state.connectionsRefused,
                totalMessagesSent: state.messagesSent,
                framesSent: state.framesSent,
                messagesReceived: state.messagesReceived,
                messagesDropped: state.framesDropped,
                clientsEvicted: state.clientsEvicted,
                uptimeSeconds: Date().timeIntervalSince(startedAt)
            )
        }
    }

    /// The connected clients in connection order, for `/info`.
    public func clients() -> [ClientInfo] {
        state.withLock { $0.ordered }.map(\.info)
    }

    /// `id`, or `id-2`, `id-3`, … whichever is free.
    private static func uniqueID(_ id: String, taken: [String: HubClient]) -> String {
        guard taken[id] != nil else { return id }
        var suffix = 2
        while taken["\(id)-\(suffix)"] != nil { suffix += 1 }
        return "\(id)-\(suffix)"
    }
}

/// The hub's counters, as `/stats` reports them.
public struct HubStatistics: Sendable, Equatable {
    public var activeConnections: Int
    public var totalConnectionsCreated: Int
    public var connectionsRefused: Int
    /// Messages the hub sent out (one per broadcast, private message or API call).
    public var totalMessagesSent: Int
    /// Frames queued to clients (a broadcast to N clients counts N).
    public var framesSent: Int
    public var messagesReceived: Int
    /// Frames not delivered because a client was evicted or already closing.
    public var messagesDropped: Int
    public var clientsEvicted: Int
    public var uptimeSeconds: Double
}
