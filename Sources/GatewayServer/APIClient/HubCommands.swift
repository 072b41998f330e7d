import ArgumentParser
import Gateway

/// `gateway api health`: `GET /health` and `GET /health/ready`; exits 1 when the gateway is not ready.
struct APIHealth: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Liveness and readiness (GET /health, GET /health/ready).",
        discussion: """
            Exits 0 when the gateway is healthy and ready, 1 when it answers but is not ready (the checks say \
            why). With --json it prints {"health": <GET /health>, "ready": <GET /health/ready>}.

            Examples:
              gateway api health
              gateway api --json health | jq -r .ready.status
            """
    )

    @OptionGroup var options: APIOptions

    func run() async throws {
        try await options.perform { client, output in
            let ready = try await Self.check(client)
            output.show(ready.answer, APIRendering.health)
            if !ready.isReady { throw ExitCode(1) }
        }
    }

    /// Both health answers as one object, and whether readiness said `ready`.
    static func check(_ client: APIHTTPClient) async throws -> (answer: JSONValue, isReady: Bool) {
        let health = try await client.get("/health")
        let ready = try await client.send("GET", "/health/ready", accepting: [503]).json
        return (["health": health, "ready": ready], ready["status"]?.string == "ready")
    }
}

/// `gateway api stats`: `GET /stats`.
struct APIStats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "The hub's and the delivery engine's counters (GET /stats).",
        discussion: """
            Examples:
              gateway api stats
              gateway api --json stats | jq .webhooks
            """
    )

    @OptionGroup var options: APIOptions

    func run() async throws {
        try await options.perform { client, output in output.show(try await client.get("/stats"), APIRendering.stats) }
    }
}

/// `gateway api info`: `GET /info`, the server's start time and its connected clients.
struct APIInfo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Start time and the connected WebSocket clients (GET /info).",
        discussion: """
            The clients are listed in connection order, the order `client_indices` of /broadcast/specific uses.

            Example:
              gateway api info
            """
    )

    @OptionGroup var options: APIOptions

    func run() async throws {
        try await options.perform { client, output in output.show(try await client.get("/info"), APIRendering.info) }
    }
}

/// `gateway api events`: `GET /events`, the event types a webhook can subscribe to.
struct APIEvents: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "The event types webhooks can subscribe to (GET /events).",
        discussion: """
            Example:
              gateway api events
            """
    )

    @OptionGroup var options: APIOptions

    func run() async throws {
        try await options.perform { client, output in output.show(try await client.get("/events"), APIRendering.events) }
    }
}

/// `gateway api broadcast TEXT`: `POST /broadcast` (or `/broadcast/specific` with `--to`).
struct APIBroadcast: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broadcast",
        abstract: "Send a message to every WebSocket client and webhook (POST /broadcast).",
        discussion: """
            WebSocket clients receive {"message", "sender", "timestamp", "message_type"}; every webhook \
            subscribed to message-broadcast gets a delivery. With --to, only those clients get it \
            (POST /broadcast/specific). With --idempotency-key, repeating the same command within 24 hours \
            sends nothing new and prints the first answer.

            Examples:
              gateway api broadcast "Deploy finished"
              gateway api broadcast "Maintenance at 18:00" --sender ops --type notice
              gateway api broadcast "psst" --to client-3 --to client-7
              gateway api broadcast "Release 1.2" --idempotency-key release-1.2
            """
    )

    @OptionGroup var options: APIOptions
    @Argument(help: "The message text.") var text: String
    @Option(help: "Shown as the sender (the server's default: API).") var sender: String?
    @Option(name: .customLong("type"), help: "The message_type (the server's default: api_broadcast).") var messageType: String?
    @Option(help: "Send only to this client id (repeatable).") var to: [String] = []
    @Option(help: "An Idempotency-Key header: the same key and text within 24 h are sent once.") var idempotencyKey: String?

    func run() async throws {
        try await options.perform { client, output in
            let answer = try await Self.send(client, text: text, sender: sender, type: messageType, to: to, idempotencyKey: idempotencyKey)
            output.show(answer, APIRendering.broadcast)
        }
    }

    /// Sends one broadcast and returns the server's answer.
    static func send(
        _ client: APIHTTPClient, text: String, sender: String? = nil, type: String? = nil, to: [String] = [], idempotencyKey: String? = nil
    ) async throws -> JSONValue {
        var body: [String: JSONValue] = ["message": .string(text)]
        if let sender { body["sender"] = .string(sender) }
        if let type { body["message_type"] = .string(type) }
        if !to.isEmpty { body["client_ids"] = .array(to.map(JSONValue.string)) }
        let headers = idempotencyKey.map { ["idempotency-key": $0] } ?? [:]
        return try await client.post(to.isEmpty ? "/broadcast" : "/broadcast/specific", body: .object(body), headers: headers)
    }
}
