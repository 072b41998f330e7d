public import Hummingbird

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

    public init(hub: BroadcastHub, maxBodyBytes: Int, token: AdminToken? = nil) {
        self.hub = hub
        self.maxBodyBytes = maxBodyBytes
        self.token = token
    }

    /// The static paths and their methods, for 405 answers.
    public static var allowedMethods: [String: [HTTPRequest.Method]] {
        ["/health": [.get, .head], "/stats": [.get, .head], "/info": [.get, .head], "/broadcast": [.post], "/broadcast/specific": [.post]]
    }

    /// Adds the routes to `router`.
    public func register(on router: Router<Context>) {
        router.get("/health") { _, _ in HealthResponse(status: "healthy", timestamp: Date(), activeConnections: hub.statistics().activeConnections) }
        router.get("/stats") { _, _ in StatsResponse(hub.statistics()) }
        router.get("/info") { _, _ in
            let stats = hub.statistics()
            return InfoResponse(totalConnectionsCreated: stats.totalConnectionsCreated, startTime: hub.startedAt, clients: hub.clients())
        }
        let broadcast = router.group("/broadcast")
        if let token { broadcast.add(middleware: BearerAuthMiddleware(token: token)) }
        broadcast.post { request, _ in
            let body = try await request.decodeJSON(BroadcastRequest.self, limit: maxBodyBytes)
            let message = try body.message(defaultType: BroadcastMessage.Kind.apiBroadcast)
            let count = hub.broadcast(message, source: .api)
            return BroadcastResponse(recipients: count, timestamp: message.timestamp)
        }
        broadcast.post("/specific") { request, _ in
            let body = try await request.decodeJSON(SpecificBroadcastRequest.self, limit: maxBodyBytes)
            let message = try body.broadcast.message(defaultType: BroadcastMessage.Kind.apiBroadcast)
            let count: Int
            switch (body.clientIDs, body.clientIndices) {
            case (let ids?, nil): count = hub.send(message, toClientIDs: ids, source: .api)
            case (nil, let indices?): count = hub.send(message, toIndices: indices, source: .api)
            case (nil, nil): throw APIError.invalidField("client_ids", "is required (or the seed's client_indices)")
            case (_?, _?): throw APIError.invalidField("client_ids", "give client_ids or client_indices, not both")
            }
            return BroadcastResponse(recipients: count, timestamp: message.timestamp)
        }
    }
}
