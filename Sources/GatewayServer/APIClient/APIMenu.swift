import ArgumentParser
import Gateway

import Foundation

/// `gateway api menu`: the seed's interactive REST client, as a numbered menu on stdin.
struct APIMenu: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "menu",
        abstract: "An interactive numbered menu: health, stats, broadcast, webhooks, deliveries.",
        discussion: """
            Reads one choice per line from stdin; "q", "quit" or the end of input (Ctrl-D) leaves with exit \
            status 0. An error answer is printed and the menu goes on. Lists need the admin token.

            Examples:
              gateway api menu
              printf '2\\nq\\n' | gateway api menu
            """
    )

    @OptionGroup var options: APIOptions

    /// The menu's entries, in the order they are numbered.
    private static let entries = ["health", "stats", "broadcast a message", "list webhooks", "list deliveries", "quit"]

    func run() async throws {
        try await options.perform { client, output in
            output.line("gateway api: \(client.baseURL.absoluteString)")
            while true {
                output.write("\n" + Self.entries.enumerated().map { "  \($0.offset + 1)  \($0.element)\n" }.joined() + "choice> ")
                guard let choice = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() else { break }
                if choice == "6" || choice == "q" || choice == "quit" { break }
                do {
                    guard try await perform(choice, client: client, output: output) else { break }
                } catch let error as APIClientError {
                    output.error(error.description)
                }
            }
            output.line("")
        }
    }

    /// Runs one choice; `false` when the input ended inside it.
    private func perform(_ choice: String, client: APIHTTPClient, output: APIOutput) async throws -> Bool {
        switch choice {
        case "1":
            output.show(try await APIHealth.check(client).answer, APIRendering.health)
        case "2":
            output.show(try await client.get("/stats"), APIRendering.stats)
        case "3":
            output.write("message> ")
            guard let text = readLine() else { return false }
            guard !text.isEmpty else {
                output.line("nothing sent (empty message)")
                return true
            }
            output.show(try await APIBroadcast.send(client, text: text), APIRendering.broadcast)
        case "4":
            output.show(try await client.get("/webhooks"), APIRendering.webhookPage)
        case "5":
            output.show(try await client.get("/deliveries"), APIRendering.deliveryPage)
        case "":
            break
        default:
            output.line("choose 1 to \(Self.entries.count)")
        }
        return true
    }
}
