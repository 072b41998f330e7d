import ArgumentParser
import Gateway

import Foundation

/// `gateway api webhooks …`: the subscription registry (`/webhooks` routes; admin token).
struct APIWebhooks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks",
        abstract: "List, add, show, remove, test and rotate webhook subscriptions (admin token).",
        discussion: """
            Examples:
              gateway api webhooks add https://example.com/hooks --event message-broadcast
              gateway api webhooks list --event message-broadcast
              gateway api webhooks get $WH
              gateway api webhooks test $WH
              gateway api webhooks rotate $WH
              gateway api webhooks rm $WH
            """,
        subcommands: [List.self, Add.self, Get.self, Remove.self, Test.self, Rotate.self, Secret.self, Enable.self, Disable.self]
    )

    /// The path of one subscription.
    static func path(_ id: String, _ suffix: String = "") -> String {
        "/webhooks/\(APIHTTPClient.escaped(id))\(suffix)"
    }
}

extension APIWebhooks {
    /// `webhooks list`: `GET /webhooks`, one page in creation order.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List subscriptions in creation order (GET /webhooks); never shows secrets.",
            discussion: """
                A last line "more: --cursor ID" means there is another page.

                Examples:
                  gateway api webhooks list
                  gateway api webhooks list --enabled false
                  gateway api --json webhooks list | jq -r '.data[].url'
                """
        )

        @OptionGroup var options: APIOptions
        @Option(help: "Only subscriptions that receive this event type (or *).") var event: String?
        @Option(help: "Only enabled (true) or disabled (false) subscriptions.") var enabled: Bool?
        @Option(help: "Page size, 1 to 500 (the server's default: 50).") var limit: Int?
        @Option(help: "Start after this subscription id (the next_cursor of the previous page).") var cursor: String?

        func run() async throws {
            try await options.perform { client, output in
                let query = [("event", event), ("enabled", enabled.map { String($0) }), ("limit", limit.map(String.init)), ("cursor", cursor)]
                output.show(try await client.get("/webhooks", query: query), APIRendering.webhookPage)
            }
        }
    }

    /// `webhooks add URL`: `POST /webhooks`; prints the subscription with its secret.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Register a URL (POST /webhooks); prints the new subscription and its signing secret.",
            discussion: """
                Without --event the subscription receives every hub event (*). The secret is shown here, by \
                "webhooks rotate" and by "webhooks secret" only. Private, loopback and link-local URLs are \
                refused unless the server's webhooks.allowedNetworks lists them.

                Examples:
                  gateway api webhooks add https://example.com/hooks
                  gateway api webhooks add https://example.com/hooks \\
                    --event message-broadcast --event client-connected
                  gateway api webhooks add https://example.com/hooks --header "X-Team: ops"
                """
        )

        @OptionGroup var options: APIOptions
        @Argument(help: ArgumentHelp("The URL deliveries are POSTed to (http or https).", valueName: "webhook-url")) var url: String
        @Option(name: .customLong("event"), help: "An event type to receive (repeatable; default: *).") var events: [String] = []
        @Option(help: "A description.") var description: String?
        @Option(help: "The signing secret (whsec_ + base64 of 24 to 64 bytes; default: generated).") var secret: String?
        @Option(name: .customLong("header"), help: "An extra request header, \"Name: value\" (repeatable).") var headers: [String] = []
        @Flag(help: "Create it disabled.") var disabled = false

        func validate() throws {
            for header in headers where !header.contains(":") { throw ValidationError("--header: \"\(header)\" is not \"Name: value\"") }
        }

        func run() async throws {
            try await options.perform { client, output in
                output.show(try await client.post("/webhooks", body: body), APIRendering.webhook)
            }
        }

        /// The `POST /webhooks` body from the options.
        var body: JSONValue {
            var body: [String: JSONValue] = ["url": .string(url)]
            if !events.isEmpty { body["events"] = .array(events.map(JSONValue.string)) }
            if let description { body["description"] = .string(description) }
            if let secret { body["secret"] = .string(secret) }
            if disabled { body["enabled"] = false }
            if !headers.isEmpty {
                let pairs = headers.map { header in
                    let parts = header.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
                        .map { $0.trimmingCharacters(in: .whitespaces) }
                    return (parts[0], JSONValue.string(parts.count > 1 ? parts[1] : ""))
                }
                body["headers"] = .object(Dictionary(pairs) { $1 })
            }
            return .object(body)
        }
    }

    /// `webhooks get ID`: `GET /webhooks/{id}`.
    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Show one subscription (GET /webhooks/{id}).")

        @OptionGroup var options: APIOptions
        @Argument(help: "The subscription id (wh_…).") var id: String

        func run() async throws {
            try await options.perform { client, output in output.show(try await client.get(APIWebhooks.path(id)), APIRendering.webhook) }
        }
    }

    /// `webhooks rm ID`: `DELETE /webhooks/{id}`.
    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm",
            abstract: "Remove a subscription (DELETE /webhooks/{id}); its pending deliveries stop.",
            discussion: "With --json nothing is printed (the server answers 204 without a body); the exit status says it worked.",
            aliases: ["remove", "delete"]
        )

        @OptionGroup var options: APIOptions
        @Argument(help: "The subscription id (wh_…).") var id: String

        func run() async throws {
            try await options.perform { client, output in
                try await client.delete(APIWebhooks.path(id))
                if !output.json { output.line("removed \(id)") }
            }
        }
    }

    /// `webhooks test ID`: `POST /webhooks/{id}/test`, a `webhook.test` delivery now.
    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "test",
            abstract: "Send a webhook.test event to one subscription now (POST /webhooks/{id}/test).",
            discussion: "Prints the event and delivery ids; follow the delivery with \"gateway api deliveries get ID\"."
        )

        @OptionGroup var options: APIOptions
        @Argument(help: "The subscription id (wh_…).") var id: String

        func run() async throws {
            try await options.perform { client, output in
                output.show(try await client.post(APIWebhooks.path(id, "/test")), APIRendering.testDelivery)
            }
        }
    }

    /// `webhooks rotate ID`: `POST /webhooks/{id}/rotate-secret`; prints the new secret.
    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate",
            abstract: "Rotate the signing secret (POST /webhooks/{id}/rotate-secret); prints the new one.",
            discussion: """
                The old secret keeps signing too (a second v1 signature) for the server's \
                webhooks.secretGraceSeconds, so receivers can switch without losing a delivery.

                Examples:
                  gateway api webhooks rotate $WH
                  gateway api --json webhooks rotate $WH | jq -r .secret
                """
        )

        @OptionGroup var options: APIOptions
        @Argument(help: "The subscription id (wh_…).") var id: String
        @Option(help: "The new secret (default: generated by the server).") var secret: String?

        func run() async throws {
            try await options.perform { client, output in
                let body: JSONValue? = secret.map { ["secret": .string($0)] }
                output.show(try await client.post(APIWebhooks.path(id, "/rotate-secret"), body: body), APIRendering.secret)
            }
        }
    }

    /// `webhooks secret ID`: `GET /webhooks/{id}/secret`.
    struct Secret: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "secret", abstract: "Show the signing secret and the rotated-out ones still signing (GET /webhooks/{id}/secret).")

        @OptionGroup var options: APIOptions
        @Argument(help: "The subscription id (wh_…).") var id: String

        func run() async throws {
            try await options.perform { client, output in output.show(try await client.get(APIWebhooks.path(id, "/secret")), APIRendering.secret) }
        }
    }

    /// `webhooks enable ID`: `PATCH /webhooks/{id}` with `{"enabled": true}`.
    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "enable", abstract: "Enable a subscription (PATCH /webhooks/{id}); clears its disabled_reason.")

        @OptionGroup var options: APIOptions
        @Argument(help: "The subscription id (wh_…).") var id: String

        func run() async throws {
            try await options.perform { client, output in
                output.show(try await client.send("PATCH", APIWebhooks.path(id), body: ["enabled": true]).json, APIRendering.webhook)
            }
        }
    }

    /// `webhooks disable ID`: `PATCH /webhooks/{id}` with `{"enabled": false}`.
    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "disable", abstract: "Disable a subscription (PATCH /webhooks/{id}): it receives nothing until enabled.")

        @OptionGroup var options: APIOptions
        @Argument(help: "The subscription id (wh_…).") var id: String

        func run() async throws {
            try await options.perform { client, output in
                output.show(try await client.send("PATCH", APIWebhooks.path(id), body: ["enabled": false]).json, APIRendering.webhook)
            }
        }
    }
}
