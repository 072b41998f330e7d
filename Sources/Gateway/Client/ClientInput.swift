import Foundation

/// What one line typed into `gateway client` asks for. Parsing is a pure function of the line.
///
/// Text is always sent as a JSON object (`{"message": …}`), never as a bare frame: the hub would read a
/// bare line that starts with `{` as JSON and answer with an error.
public enum ClientInput: Equatable, Sendable {
    /// Send this text frame to the hub.
    case send(String)
    /// Close with 1000 and exit.
    case quit
    /// Show ``helpLines``.
    case help
    /// An empty line: nothing to do.
    case nothing
    /// A command used wrongly: show this hint, send nothing.
    case problem(String)

    /// The commands, one line each, as `/help` shows them.
    public static let helpLines = [
        "text          send a chat message to everyone (//text sends /text)",
        "/private ID text   send text to the client ID only",
        "/ping         ask the hub for a pong",
        "/quit         close the connection and exit (so does end of input, or Ctrl-C)",
        "/help         this list",
    ]

    /// Interprets one line (without its newline).
    public init(line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else {
            self = .nothing
            return
        }
        guard trimmed.hasPrefix("/") else {
            self = .send(Self.frame(["message": line]))
            return
        }
        if trimmed.hasPrefix("//") {
            self = .send(Self.frame(["message": String(trimmed.dropFirst())]))
            return
        }
        let words = trimmed.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        switch words[0] {
        case "/quit", "/exit":
            self = .quit
        case "/help", "/?":
            self = .help
        case "/ping":
            self = .send(Self.frame(["message_type": "ping"]))
        case "/private", "/msg":
            guard words.count == 3 else {
                self = .problem("usage: /private ID text")
                return
            }
            self = .send(Self.frame(["message_type": "private", "to": String(words[1]), "message": String(words[2])]))
        default:
            self = .problem("unknown command \(words[0]): /help lists the commands")
        }
    }

    /// A JSON object of string fields, keys sorted (a stable frame for tests and logs).
    private static func frame(_ fields: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a [String: String] cannot fail.
        let data = (try? encoder.encode(fields)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
