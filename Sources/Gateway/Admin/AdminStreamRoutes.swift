public import Hummingbird
import NIOCore
import ServiceLifecycle

/// `GET /admin/stream`: the browser UI's live feed, as Server-Sent Events (`text/event-stream`).
///
/// Events: `stats` (the `/stats` body, every ``statsInterval``), `delivery` (a delivery summary when
/// one is created or changes), `inspector` (a request a bin received), `webhooks` (a subscription
/// created, updated or deleted). Needs the admin token, as `Authorization: Bearer` or, because a
/// browser's `EventSource` cannot send headers, as `?token=`. A stream ends when the client goes or
/// the server shuts down; the `retry:` line tells `EventSource` to reconnect after 3 s.
public struct AdminStreamRoutes<Context: RequestContext>: Sendable {
    let events: AdminEventStream
    let token: AdminToken
    /// The `/stats` body, encoded.
    let stats: @Sendable () -> String
    let statsInterval: Duration

    public init(events: AdminEventStream, token: AdminToken, statsInterval: Duration = .seconds(2), stats: @escaping @Sendable () -> String) {
        self.events = events
        self.token = token
        self.statsInterval = statsInterval
        self.stats = stats
    }

    public func register(on router: Router<Context>) {
        router.get("/admin/stream") { request, _ in
            let queryToken = request.uri.queryParameters.get("token").map { "Bearer " + $0 }
            guard token.accepts(authorization: request.headers[.authorization]) || token.accepts(authorization: queryToken) else {
                throw APIError(
                    .unauthorized, code: "unauthorized", message: "this stream needs the admin token (?token= or Authorization: Bearer)",
                    headers: [.wwwAuthenticate: "Bearer"]
                )
            }
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store"],
                body: ResponseBody { writer in
                    try await stream(to: &writer)
                    try await writer.finish(nil)
                }
            )
        }
    }

    /// Writes the stream until the client goes away or graceful shutdown begins.
    private func stream(to writer: inout any ResponseBodyWriter) async throws {
        let subscription = events.subscribe()
        let (merged, sink) = AsyncStream.makeStream(of: AdminEventStream.Event.self, bufferingPolicy: .bufferingNewest(AdminEventStream.bufferLimit))
        try await writer.write(ByteBuffer(string: "retry: 3000\n\n"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in subscription { sink.yield(event) }
            }
            group.addTask { [stats, statsInterval] in
                while !Task.isCancelled {
                    sink.yield(.init(name: "stats", json: stats()))
                    try await Task.sleep(for: statsInterval)
                }
            }
            group.addTask {
                // Ends the stream at graceful shutdown, so open browsers never hold the server up.
                try? await gracefulShutdown()
                sink.finish()
            }
            defer { group.cancelAll() }
            for await event in merged {
                try await writer.write(event.frame)
            }
        }
    }
}
