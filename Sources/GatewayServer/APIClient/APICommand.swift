import ArgumentParser
import Gateway

import Foundation

/// `gateway api …`: a client for the gateway's REST API (the successor of the seed's `rest_client_example.py`).
struct API: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "Call a running gateway's REST API: health, stats, broadcasts, webhooks, deliveries, replay.",
        discussion: """
            Every command prints a human table by default and the server's JSON (pretty-printed) with --json, \
            for jq. The admin routes (webhooks, deliveries, replay) need the admin token: --token, or \
            GATEWAY_ADMIN_TOKEN, or GATEWAY_AUTH_ADMIN_TOKEN (the server's own setting); against a gateway on \
            this machine, data/admin-token in the current directory is used when none is given.

            An error answer prints the server's message to stderr, e.g. \
            "gateway: no subscription with id 'wh_1' (HTTP 404, not_found)", and exits with 1; \
            a gateway that cannot be reached exits with 69; bad usage exits with 64.

            Examples:
              gateway api health
              gateway api --json stats | jq .webhooks.queue_depth
              gateway api broadcast "Deploy finished" --sender ci
              gateway api webhooks add https://example.com/hooks --event message-broadcast
              gateway api deliveries list --status dead
              gateway api replay $WH --since 2h
              GATEWAY_URL=http://gw.internal:8000 gateway api menu
            """,
        subcommands: [
            APIHealth.self, APIStats.self, APIInfo.self, APIEvents.self, APIBroadcast.self,
            APIWebhooks.self, APIDeliveries.self, APIReplay.self, APIMenu.self, APIDemo.self, APIHelp.self,
        ]
    )

    @OptionGroup var options: APIOptions
}

/// The options every `gateway api` command takes, before or after the command's name.
struct APIOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The gateway's base URL (or GATEWAY_URL; default http://127.0.0.1:8000).", valueName: "url"))
    var url: String?

    @Option(help: ArgumentHelp("The admin token (or GATEWAY_ADMIN_TOKEN / GATEWAY_AUTH_ADMIN_TOKEN).", valueName: "token"))
    var token: String?

    @Flag(help: "Print the server's JSON answer, pretty-printed, instead of a table.")
    var json = false

    @Option(help: "Seconds to wait for each answer.")
    var timeout: Double = 30

    /// The default base URL, the server's default port on this machine.
    static let defaultURL = "http://127.0.0.1:8000"

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout: must be more than 0 seconds") }
        _ = try baseURL()
    }

    /// The base URL from `--url`, `GATEWAY_URL` or the default; only `http` and `https` with a host.
    func baseURL() throws -> URL {
        let text = url ?? ProcessInfo.processInfo.environment["GATEWAY_URL"] ?? Self.defaultURL
        guard let parsed = URL(string: text), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme),
            parsed.host?.isEmpty == false
        else { throw ValidationError("--url: \(text) is not an http:// or https:// URL with a host") }
        return parsed
    }

    /// The token from `--token`, the environment, or (for a loopback URL only, so it never leaves the
    /// machine) the `data/admin-token` file a local gateway created; `nil` when there is none.
    func adminToken(for url: URL) -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let token = token ?? environment["GATEWAY_ADMIN_TOKEN"] ?? environment["GATEWAY_AUTH_ADMIN_TOKEN"], !token.isEmpty { return token }
        guard let host = url.host?.lowercased(), ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host),
            let stored = try? String(contentsOfFile: "data/\(AdminToken.fileName)", encoding: .utf8)
        else { return nil }
        let trimmed = stored.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// A client for these options.
    func client() throws -> APIHTTPClient {
        let url = try baseURL()
        return APIHTTPClient(baseURL: url, token: adminToken(for: url), timeout: timeout)
    }

    /// Runs `body` with a client and the output, and turns an ``APIClientError`` into its stderr line and exit status.
    func perform(_ body: (APIHTTPClient, APIOutput) async throws -> Void) async throws {
        let output = APIOutput(json: json)
        do {
            try await body(try client(), output)
        } catch let error as APIClientError {
            output.error(error.description)
            throw ExitCode(error.exitCode)
        }
    }
}

/// Where `gateway api` writes: stdout for answers, stderr for errors, written at once (no buffering, so a
/// pipe or the interactive menu sees each line when it is written).
struct APIOutput: Sendable {
    /// Whether answers print as JSON rather than tables.
    let json: Bool

    /// Prints `value` as pretty JSON with `--json`, otherwise as `human(value)`.
    func show(_ value: JSONValue, _ human: (JSONValue) -> String) {
        write(json ? value.prettyJSON + "\n" : human(value))
    }

    /// Writes `text` to stdout as it is.
    func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Writes `text` and a newline to stdout.
    func line(_ text: String) {
        write(text + "\n")
    }

    /// Writes `gateway: message` to stderr.
    func error(_ message: String) {
        FileHandle.standardError.write(Data("gateway: \(message)\n".utf8))
    }
}
