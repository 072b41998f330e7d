import ArgumentParser
import Gateway

import Foundation

/// `gateway api deliveries …`: the attempt log and retries (`/deliveries` routes; admin token).
struct APIDeliveries: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliveries",
        abstract: "List deliveries, show one with its attempts and payload, retry one (admin token).",
        discussion: """
            Examples:
              gateway api deliveries list --status dead
              gateway api deliveries list --webhook $WH --limit 10
              gateway api deliveries get $MSG
              gateway api deliveries retry $MSG
            """,
        subcommands: [List.self, Get.self, Retry.self]
    )
}

extension APIDeliveries {
    /// The statuses a delivery can have (the contract's `DeliveryStatus`).
    enum Status: String, ExpressibleByArgument, CaseIterable {
        case pending, failed, delivered, dead
    }

    /// `deliveries list`: `GET /deliveries`, or `GET /webhooks/{id}/deliveries` with `--webhook`; newest first.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "Deliveries, newest first (GET /deliveries, or GET /webhooks/{id}/deliveries with --webhook).",
            discussion: """
                LAST is the last attempt's HTTP status or error. "--status dead" is the dead-letter list; a last \
                line "more: --cursor ID" means there is another page.

                Examples:
                  gateway api deliveries list
                  gateway api deliveries list --status dead
                  gateway api --json deliveries list --webhook $WH | jq '.data | length'
                """
        )

        @OptionGroup var options: APIOptions
        @Option(help: "Only this subscription's deliveries (wh_…).") var webhook: String?
        @Option(help: "Only deliveries with this status: pending, failed, delivered or dead.") var status: Status?
        @Option(help: "Page size, 1 to 500 (the server's default: 50).") var limit: Int?
        @Option(help: "Continue with deliveries older than this one (the next_cursor of the previous page).") var cursor: String?

        func run() async throws {
            try await options.perform { client, output in
                let path = webhook.map { APIWebhooks.path($0, "/deliveries") } ?? "/deliveries"
                let query = [("status", status?.rawValue), ("limit", limit.map(String.init)), ("cursor", cursor)]
                output.show(try await client.get(path, query: query), APIRendering.deliveryPage)
            }
        }
    }

    /// `deliveries get ID`: `GET /deliveries/{id}` with every attempt and the payload.
    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "get", abstract: "One delivery: its attempts (time, status, duration, error or response) and the exact payload.")

        @OptionGroup var options: APIOptions
        @Argument(help: "The delivery id (msg_…, the webhook-id header its attempts carried).") var id: String

        func run() async throws {
            try await options.perform { client, output in
                output.show(try await client.get("/deliveries/\(APIHTTPClient.escaped(id))"), APIRendering.delivery)
            }
        }
    }

    /// `deliveries retry ID`: `POST /deliveries/{id}/retry`.
    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "retry",
            abstract: "Send a delivery again (POST /deliveries/{id}/retry): back to pending with a fresh attempt budget.")

        @OptionGroup var options: APIOptions
        @Argument(help: "The delivery id (msg_…).") var id: String

        func run() async throws {
            try await options.perform { client, output in
                output.show(try await client.post("/deliveries/\(APIHTTPClient.escaped(id))/retry"), APIRendering.deliverySummary)
            }
        }
    }
}

/// `gateway api replay ID --since WHEN`: `POST /webhooks/{id}/replay`.
struct APIReplay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-send a webhook's retained events since an instant (POST /webhooks/{id}/replay).",
        discussion: """
            For every retained event at or after --since that the subscription wants, a dead delivery is \
            retried and an event it never got (it was created or enabled later) gets a new delivery; \
            delivered and pending ones are left alone. Prints how many deliveries were queued. \
            --since is an ISO-8601 instant (2026-11-29T08:00:00Z) or a time ago: 90s, 15m, 2h, 3d.

            Examples:
              gateway api replay $WH --since 2h
              gateway api replay $WH --since 2026-11-29T08:00:00Z
            """
    )

    @OptionGroup var options: APIOptions
    @Argument(help: "The subscription id (wh_…).") var id: String
    @Option(help: "An ISO-8601 instant, or a time ago: 90s, 15m, 2h, 3d.") var since: String

    func validate() throws {
        guard Self.instant(since, now: Date()) != nil else {
            throw ValidationError("--since: \(since) is neither an ISO-8601 instant nor a time ago like 15m, 2h or 3d")
        }
    }

    func run() async throws {
        try await options.perform { client, output in
            let instant = Self.instant(since, now: Date()) ?? since
            output.show(try await client.post(APIWebhooks.path(id, "/replay"), body: ["since": .string(instant)]), APIRendering.replay)
        }
    }

    /// `text` as the ISO-8601 instant the server takes: an RFC 3339 date-time as it is, `Ns`/`Nm`/`Nh`/`Nd`
    /// as that long before `now`; `nil` for anything else.
    static func instant(_ text: String, now: Date) -> String? {
        if ISO8601.date(from: text) != nil { return text }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        guard let unit = text.last.flatMap({ units[$0] }), let amount = Double(text.dropLast()), amount >= 0, amount.isFinite else { return nil }
        return ISO8601.string(from: now.addingTimeInterval(-amount * unit))
    }
}
