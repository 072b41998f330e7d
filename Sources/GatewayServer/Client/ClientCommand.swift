import ArgumentParser
import Gateway
import Logging

import Foundation

/// `gateway client`: an interactive WebSocket client for the hub, or (`--demo`) the seed's automated
/// demo as an end-to-end check. The successor of the seed's `client_example.py`.
struct ClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client",
        abstract: "Chat with the hub from a terminal, or run the automated demo (--demo).",
        discussion: """
            Prints every message the hub sends on one line: time (HH:mm:ss, local), sender, [message_type], \
            text. Colored when stdout is a terminal, unless --no-color. Each line typed is sent as a chat \
            message ({"message": ...}); commands:

              /private ID text   a private message to client ID only
              /ping              the hub answers with a pong
              /quit              close with 1000 and exit 0
              /help              the commands

            End of input and Ctrl-C quit like /quit (a second Ctrl-C exits at once). When the connection drops \
            (the server restarts or shuts down with 1001, the network fails) the client reconnects with \
            backoff (0.5 s doubling to 10 s, ±20 % jitter) and says so; lines typed meanwhile (up to 100) are \
            sent once it is back. A 1008 close (an unusable --id, or more messages per second than the hub \
            allows) is final: the reason goes to stderr and the exit status is 1. With --max-reconnects N it \
            gives up after N+1 failed attempts in a row with status 69.

            --demo connects, waits for the welcome, sends three chat messages and waits for each to come \
            back through the hub, pings, sends itself a private message, calls POST /broadcast on the same \
            host and waits for the api_broadcast frame, then closes. It prints each step and a summary, \
            and exits 0; the first step that fails or takes longer than --timeout ends it with the reason \
            on stderr and status 1 (69 when the hub cannot be reached). The demo never reconnects.

            Examples:
              gateway client
              gateway client --url ws://127.0.0.1:8000/ws --id alice
              gateway client --demo --timeout 2
              printf 'hello\\n/private bob hi\\n' | gateway client --id carol --no-color
            """
    )

    @Option(help: "The hub's WebSocket URL (ws:// or wss://).") var url = "ws://127.0.0.1:8000/ws"
    @Option(help: "Connect as this client id (/ws/ID): 1-64 of A-Z a-z 0-9 . _ -; the hub appends -2, -3 if taken.") var id: String?
    @Flag(help: "Run the automated demo instead of the interactive client.") var demo = false
    @Flag(help: "No ANSI colors (the default when stdout is not a terminal).") var noColor = false
    @Option(help: "Demo: seconds each step may take.") var timeout = 5.0
    @Option(help: "Give up after N consecutive failed connection attempts (default: never; the demo never retries).")
    var maxReconnects: Int?

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be more than 0") }
        if let maxReconnects, maxReconnects < 0 { throw ValidationError("--max-reconnects must be 0 or more") }
    }

    func run() async throws {
        let endpoint: HubEndpoint
        do {
            endpoint = try HubEndpoint(url: url, id: id)
        } catch {
            throw ValidationError(error.description)
        }
        let output = ClientOutput(formatter: ClientLineFormatter(color: !noColor && isatty(STDOUT_FILENO) == 1))
        let logger = Logger(label: "client", factory: { _ in SwiftLogNoOpLogHandler() })
        if demo {
            do {
                try await ClientDemo(endpoint: endpoint, output: output, timeout: .seconds(timeout), logger: logger).run()
            } catch {
                output.failure(error.description)
                throw error.isUnreachable ? Self.unavailable : ExitCode.failure
            }
            return
        }
        let client = InteractiveClient(endpoint: endpoint, output: output, maxReconnects: maxReconnects, backoff: ReconnectBackoff(), logger: logger)
        switch await client.run() {
        case .quit:
            return
        case .refused(let reason):
            output.failure(reason)
            throw ExitCode.failure
        case .unreachable(let reason):
            output.failure(reason)
            throw Self.unavailable
        }
    }

    /// EX_UNAVAILABLE: no hub answered (as `gateway api` does when no gateway is there).
    private static let unavailable = ExitCode(69)
}
