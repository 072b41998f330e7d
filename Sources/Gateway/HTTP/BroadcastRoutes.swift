public import Hummingbird
import HTTPTypes

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The seed's REST routes: health, stats, info, broadcast, broadcast to chosen clients.
///
/// Thin by design: decode, validate, call the hub, encode.
public struct BroadcastRoutes<Context: RequestContext>: Sendable {
    let hub: BroadcastHub
    let maxBodyBytes: Int
    /// When set (`auth.protectBroadcast`), the broadcast routes need this bearer token.
    let token: AdminToken?
    /// Makes the `message-broadcast` event durable before the route answers.
    let dispatcher: Dispatcher?
    /// The webhook figures `/stats` adds.
    let webhookStatistics: @Sendable () -> WebhookStatistics?
    let idempotency = IdempotencyCache<BroadcastResponse>()

    public init(
        hub: BroadcastHub, maxBodyBytes: Int, token: AdminToken? = nil, dispatcher: Dispatcher? = nil,
        webhookStatistics: @escaping @Sendable () -> WebhookStatistics? = { nil }
    ) {
        self.hub = hub
        self.maxBodyBytes = maxBodyBytes
        self.token = token
        self.dispatcher = dispatcher
        self.webhookStatistics = webhookStatistics
    }

    /// The static paths and their methods, for 405 answers.
    public static var allowedMethods: [String: [HTTPRequest.Method]] {
        ["/health": [.get, .head], "/stats": [.get, .head], "/info": [.get, .head], "/broadcast": [.post], "/broadcast/specific": [.post]]
    }

    /// Fans `message` out, then journals its `message-broadcast` deliveries (and the answer to
    /// `idempotencyKey`, in the same append) before answering.
    private func send(
        _ message: BroadcastMessage,
        idempotencyKey: String? = nil,
        to deliver: (BroadcastMessage) -> Int
    ) async throws -> BroadcastResponse {
        let count = deliver(message)
        let response = BroadcastResponse(recipients: count, timestamp: ISO8601.string(from: message.timestamp))
        let answer = idempotencyKey.map { IdempotencyRecord(key: $0, storedAt: epochMillis(), recipients: count, timestamp: response.timestamp) }
        try await dispatcher?.dispatchNow(.messageBroadcast(message, source: .api, recipients: count), answer: answer)
        return response
    }

    /// The first answer to `key`: from memory, or from the journal (keys survive a restart).
    private func storedAnswer(_ key: String) async -> BroadcastResponse? {
        guard let answer = await dispatcher?.idempotencyAnswer(for: key) else { return nil }
        return BroadcastResponse(recipients: answer.recipients, timestamp: answer.timestamp)
    }

    /// Adds the routes to `router`.
    public func register(on router: Router<Context>) {
        router.get("/health") { _, _ in HealthResponse(status: "healthy", timestamp: Date(), activeConnections: hub.statistics().activeConnections) }
        router.get("/stats") { _, _ in StatsResponse(hub.statistics(), webhooks: webhookStatistics()) }
        router.get("/info") { _, _ in
            let stats = hub.statistics()
            return InfoResponse(totalConnectionsCreated: stats.totalConnectionsCreated, startTime: hub.startedAt, clients: hub.clients())
        }
        let broadcast = router.group("/broadcast")
        if let token { broadcast.add(middleware: BearerAuthMiddleware(token: token)) }
        broadcast.post { request, _ in
            let key = request.headers[.idempotencyKey]
            if let key {
                switch idempotency.begin(key) {
                case .done(let first): return first
                case .inProgress: throw APIError(.conflict, code: "idempotency_in_progress", message: "a request with this Idempotency-Key is still running")
                case .new:
                    if let first = await storedAnswer(key) {
                        idempotency.finish(key, value: first)
                        return first
                    }
                }
            }
            do {
                let body = try await request.decodeJSON(BroadcastRequest.self, limit: maxBodyBytes)
                let message = try body.message(defaultType: BroadcastMessage.Kind.apiBroadcast)
                let response = try await send(message, idempotencyKey: key) { hub.broadcast($0, source: .api) }
                if let key { idempotency.finish(key, value: response) }
                return response
            } catch {
                if let key { idempotency.abandon(key) }
                throw error
            }
        }
        broadcast.post("/specific") { request, _ in
            let body = try await request.decodeJSON(SpecificBroadcastRequest.self, limit: maxBodyBytes)
            let message = try body.broadcast.message(defaultType: BroadcastMessage.Kind.apiBroadcast)
            switch (body.clientIDs, body.clientIndices) {
            case (let ids?, nil): return try await send(message) { hub.send($0, toClientIDs: ids, source: .api) }
            case (nil, let indices?): return try await send(message) { hub.send($0, toIndices: indices, source: .api) }
            case (nil, nil): throw APIError.invalidField("client_ids", "is required (or the seed's client_indices)")
            case (_?, _?): throw APIError.invalidField("client_ids", "give client_ids or client_indices, not both")
            }
        }
    }
}

extension HTTPField.Name {
    /// `Idempotency-Key` (IETF draft), accepted by `POST /broadcast`.
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
}
