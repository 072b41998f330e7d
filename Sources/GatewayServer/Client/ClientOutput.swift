import Gateway

import Foundation

/// Where `gateway client` writes: each line in one `write` to stdout, so a pipe (or a test) sees every
/// message the moment it arrives; failures go to stderr prefixed with `gateway client:`.
struct ClientOutput: Sendable {
    let formatter: ClientLineFormatter

    /// Prints one frame received from the hub.
    func frame(_ text: String) {
        write(formatter.line(frame: text, receivedAt: Date()))
    }

    /// Prints a line of the client's own (`* connected …`).
    func status(_ text: String) {
        write(formatter.status(text))
    }

    /// Prints a line as is.
    func plain(_ text: String) {
        write(text)
    }

    /// Prints a failure to stderr.
    func failure(_ text: String) {
        FileHandle.standardError.write(Data("gateway client: \(text)\n".utf8))
    }

    private func write(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
