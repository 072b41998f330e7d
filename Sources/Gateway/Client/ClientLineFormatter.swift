#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Turns what `gateway client` receives into one terminal line each: `HH:mm:ss sender [type] text`.
///
/// A pure value (no I/O, the time zone injected), so a unit test pins the exact output. Text from the
/// hub is untrusted: control characters (newlines, ESC of a smuggled ANSI sequence) are shown escaped,
/// which also keeps every message on one line.
public struct ClientLineFormatter: Sendable {
    /// Whether to add ANSI colors (the command decides: stdout is a TTY and `--no-color` was not given).
    public var color: Bool
    /// The zone the `HH:mm:ss` is shown in.
    public var timeZone: TimeZone

    /// Creates a formatter.
    public init(color: Bool, timeZone: TimeZone = .current) {
        self.color = color
        self.timeZone = timeZone
    }

    /// The line for one text frame. A frame that is not a JSON object is shown raw, typed `?`.
    ///
    /// - Parameters:
    ///   - frame: the frame's text.
    ///   - receivedAt: the time shown when the message carries no readable `timestamp`.
    public func line(frame: String, receivedAt: Date) -> String {
        let message = ReceivedMessage(frame: frame) ?? ReceivedMessage(message: frame, sender: "?", messageType: "?")
        return line(message, receivedAt: receivedAt)
    }

    /// The line for one decoded message: its time (the hub's `timestamp`, else `receivedAt`), sender,
    /// `[message_type]`, text.
    public func line(_ message: ReceivedMessage, receivedAt: Date) -> String {
        let time = Self.clockTime(message.timestamp ?? receivedAt, in: timeZone)
        let sender = Self.escaped(message.sender)
        let type = "[" + Self.escaped(message.messageType) + "]"
        let text = Self.escaped(message.message)
        guard color else { return "\(time) \(sender) \(type) \(text)" }
        let typeColor = Self.colors[message.messageType] ?? ANSI.white
        return "\(ANSI.dim)\(time)\(ANSI.reset) \(ANSI.bold)\(sender)\(ANSI.reset) \(typeColor)\(type)\(ANSI.reset) \(text)"
    }

    /// A line of the client's own (connected, reconnecting, usage hints): `* text`, dimmed in color.
    public func status(_ text: String) -> String {
        color ? "\(ANSI.dim)* \(text)\(ANSI.reset)" : "* \(text)"
    }

    /// `HH:mm:ss` of `date` in `timeZone` (24-hour clock).
    public static func clockTime(_ date: Date, in timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String {
            let value = value ?? 0
            return value < 10 ? "0\(value)" : "\(value)"
        }
        return "\(two(parts.hour)):\(two(parts.minute)):\(two(parts.second))"
    }

    /// `text` with every control character written as an escape (`\n`, `\r`, `\t`, `\u{1B}`), so a
    /// message can neither break the one-line layout nor drive the terminal.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where isControl(scalar): result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// C0 controls, DEL and C1 controls (a terminal acts on all of them).
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// One color per well-known message type; a custom type is white.
    private static let colors: [String: String] = [
        BroadcastMessage.Kind.welcome: ANSI.green,
        BroadcastMessage.Kind.chat: ANSI.cyan,
        BroadcastMessage.Kind.broadcast: ANSI.yellow,
        BroadcastMessage.Kind.apiBroadcast: ANSI.yellow,
        BroadcastMessage.Kind.pong: ANSI.blue,
        BroadcastMessage.Kind.privateMessage: ANSI.magenta,
        BroadcastMessage.Kind.error: ANSI.red,
        BroadcastMessage.Kind.system: ANSI.green,
    ]

    /// The SGR sequences used.
    private enum ANSI {
        static let reset = "\u{1B}[0m"
        static let bold = "\u{1B}[1m"
        static let dim = "\u{1B}[2m"
        static let red = "\u{1B}[31m"
        static let green = "\u{1B}[32m"
        static let yellow = "\u{1B}[33m"
        static let blue = "\u{1B}[34m"
        static let magenta = "\u{1B}[35m"
        static let cyan = "\u{1B}[36m"
        static let white = "\u{1B}[37m"
    }
}
