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
    let idempotency = IdempotencyCache<IdempotentAnswer>()

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


    /// Fans `message` out, then journals its `message-broadcast` deliveries (and the answer to an
    /// `Idempotency-Key`, in the same append) before answering.
    private func send(
        _ message: BroadcastMessage,
        idempotency key: (key: String, fingerprint: String)? = nil,
        to deliver: (BroadcastMessage) -> Int
    ) async throws -> BroadcastResponse {
        let count = deliver(message)
        let response = BroadcastResponse(recipients: count, timestamp: ISO8601.string(from: message.timestamp))
        let answer = key.map {
            IdempotencyRecord(key: $0.key, fingerprint: $0.fingerprint, storedAt: epochMillis(), recipients: count, timestamp: response.timestamp)
        }
        try await dispatcher?.dispatchNow(.messageBroadcast(message, source: .api, recipients: count), answer: answer)
        return response
    }

    /// `POST /broadcast` with an `Idempotency-Key`: the first answer again for the same body within 24 h
    /// (from memory, or from the journal after a restart), 422 for another body, 409 while the first runs.
    private func broadcastOnce(key: String, body: ByteBuffer) async throws -> BroadcastResponse {
        let fingerprint = IdempotentAnswer.fingerprint(of: body)
        switch idempotency.begin(key) {
        case .done(let first): return try first.answer(to: fingerprint)
        case .inProgress: throw APIError(.conflict, code: "idempotency_in_progress", message: "a request with this Idempotency-Key is still running")
        case .new: break
        }
        if let stored = await dispatcher?.idempotencyAnswer(for: key) {
            let first = IdempotentAnswer(stored)
            idempotency.finish(key, value: first)
            return try first.answer(to: fingerprint)
        }
        do {
            let response = try await broadcast(body, idempotency: (key, fingerprint))
            idempotency.finish(key, value: IdempotentAnswer(response: response, fingerprint: fingerprint))
            return response
        } catch {
            idempotency.abandon(key)
            throw error
        }
    }

    /// Decodes a `POST /broadcast` body and sends it to every client.
    private func broadcast(_ body: ByteBuffer, idempotency key: (key: String, fingerprint: String)?) async throws -> BroadcastResponse {
        let message = try Request.decode(BroadcastRequest.self, from: body).message(defaultType: BroadcastMessage.Kind.apiBroadcast)
        return try await send(message, idempotency: key) { hub.broadcast($0, source: .api) }
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
            let body = try await request.collectBody(limit: maxBodyBytes)
            guard let key = request.headers[.idempotencyKey] else { return try await self.broadcast(body, idempotency: nil) }
            return try await broadcastOnce(key: key, body: body)
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
