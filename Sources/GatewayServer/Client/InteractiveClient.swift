import Gateway
import HummingbirdWSClient
import Logging
import NIOWebSocket

import Foundation

/// `gateway client` without `--demo`: prints what the hub sends, sends what the user types, and
/// reconnects with backoff when the connection drops.
///
/// Quitting first sends the client a private message to itself (``closingMarker``) and closes with
/// 1000 when it comes back: the hub handles frames in order, so every echo, error or private message
/// caused by the lines sent before has been printed by then (`printf 'a\nb\n' | gateway client` shows
/// the whole exchange). ``closeWait`` bounds it.
///
/// Two child tasks share a ``ConnectionSlot``: the connection loop (connect, print, reconnect) and
/// the input loop (lines → frames). Either can end the session: the input loop on `/quit`, end of
/// input or Ctrl-C; the connection loop after the closing handshake, on a 1008 refusal, or when
/// `--max-reconnects` is used up.
struct InteractiveClient {
    let endpoint: HubEndpoint
    let output: ClientOutput
    /// Consecutive failed attempts allowed before giving up; `nil` retries forever.
    let maxReconnects: Int?
    let backoff: ReconnectBackoff
    let logger: Logger

    /// The text of the private message that marks the end of a session (never printed).
    let closingMarker = "gateway client closing " + UUID().uuidString

    /// How long quitting waits for the closing marker and the close handshake, or for a connection
    /// to send the lines still waiting.
    static let closeWait = Duration.seconds(5)

    /// How a session ended.
    enum Finish: Sendable {
        case quit
        /// The hub refused this client (1008).
        case refused(String)
        /// `--max-reconnects` was used up, or lines typed before quitting found no connection.
        case unreachable(String)
    }

    /// What the input loop did when it stopped.
    private enum InputEnd: Sendable {
        /// A close (or the frames still waiting, then a close) is under way: wait for the connection loop.
        case closing
        /// Nothing to close: stop at once.
        case now
    }

    /// What ends first in ``run()``.
    private enum Step: Sendable {
        case connection(Finish)
        case input(InputEnd)
        case closeWaitOver
    }

    /// Runs the session until the user quits or the hub cannot be reached as configured.
    func run() async -> Finish {
        let slot = ConnectionSlot()
        let (input, interrupts) = TerminalInput.start()
        let finish = await withTaskGroup(of: Step.self) { group -> Finish in
            group.addTask { .connection(await connectionLoop(slot)) }
            group.addTask { .input(await inputLoop(input, slot)) }
            while let step = await group.next() {
                switch step {
                case .connection(let finish):
                    group.cancelAll()
                    return finish
                case .input(.closing):
                    group.addTask {
                        try? await Task.sleep(for: Self.closeWait)
                        return .closeWaitOver
                    }
                case .closeWaitOver:
                    group.cancelAll()
                    let unsent = slot.pendingCount
                    guard unsent == 0 else {
                        return .unreachable("\(unsent) line\(unsent == 1 ? "" : "s") not sent: no connection to \(endpoint.webSocketURL)")
                    }
                    return .quit
                case .input(.now):
                    group.cancelAll()
                    return .quit
                }
            }
            return .quit
        }
        interrupts.cancel()
        return finish
    }

    /// Connects, prints every frame, and reconnects after a drop until quitting or giving up.
    private func connectionLoop(_ slot: ConnectionSlot) async -> Finish {
        var failures = 0
        var connectedBefore = false
        output.status("connecting to \(endpoint.webSocketURL)")
        while !Task.isCancelled {
            let wasConnected = connectedBefore
            let end = await HubConnection(url: endpoint.webSocketURL, logger: logger).run { text, writer in
                if slot.isQuitting, let message = ReceivedMessage(frame: text), message.messageType == BroadcastMessage.Kind.privateMessage,
                    message.message == closingMarker
                {
                    try? await writer.close(.normalClosure, reason: nil)
                    return
                }
                output.frame(text)
            } onWelcome: { welcome, writer in
                await open(slot, writer: writer, clientID: welcome.clientID)
                let id = welcome.clientID.map { " as \($0)" } ?? ""
                output.status("\(wasConnected ? "reconnected" : "connected") to \(endpoint.webSocketURL)\(id) (/help lists the commands)")
                if slot.isQuitting { await finish(on: writer, clientID: welcome.clientID) }
            }
            slot.close()
            // Quitting ends the loop, unless lines typed before still wait for a connection (closeWait bounds that).
            if slot.isQuitting && slot.pendingCount == 0 { return .quit }
            if end.welcomed {
                failures = 0
                connectedBefore = true
            }
            if let code = end.closeCode, ReconnectBackoff.isFinal(closeCode: code) {
                return .refused("the hub refused this client: \(end)")
            }
            failures += 1
            if let maxReconnects, failures > maxReconnects {
                return .unreachable("gave up after \(failures) failed attempt\(failures == 1 ? "" : "s") to reach \(endpoint.webSocketURL): \(end)")
            }
            let delay = backoff.delay(afterFailures: failures, random: Double.random(in: 0..<1))
            let limit = maxReconnects.map { " of \($0)" } ?? ""
            let what = end.welcomed ? "connection lost" : "cannot connect"
            output.status("\(what) (\(end)); reconnecting in \(Self.seconds(delay)) (attempt \(failures)\(limit))")
            do {
                try await Task.sleep(for: delay)
            } catch {
                return .quit
            }
        }
        return .quit
    }

    /// Sends the frames typed while disconnected, in order, then lets new ones through directly.
    private func open(_ slot: ConnectionSlot, writer: WebSocketOutboundWriter, clientID: String?) async {
        while true {
            let waiting = slot.open(writer, clientID: clientID)
            if waiting.isEmpty { return }
            for frame in waiting {
                do {
                    try await writer.write(.text(frame))
                } catch {
                    output.status("not sent (the connection closed): \(frame)")
                }
            }
        }
    }

    /// Turns lines into frames until `/quit`, end of input or Ctrl-C.
    private func inputLoop(_ input: TerminalInput, _ slot: ConnectionSlot) async -> InputEnd {
        for await event in input.events {
            guard case .line(let line) = event else { return await quit(slot) }
            defer { input.consumed() }
            switch ClientInput(line: line) {
            case .nothing:
                continue
            case .help:
                for help in ClientInput.helpLines { output.plain("  " + help) }
            case .problem(let hint):
                output.status(hint)
            case .quit:
                return await quit(slot)
            case .send(let frame):
                await send(frame, line: line, slot)
            }
        }
        return .now
    }

    private func send(_ frame: String, line: String, _ slot: ConnectionSlot) async {
        switch slot.send(frame) {
        case .write(let writer):
            do {
                try await writer.write(.text(frame))
            } catch {
                output.status("not sent (the connection closed): \(line)")
            }
        case .queued:
            output.status("not connected: sent once connected")
        case .dropped:
            output.status("not connected and \(slot.capacity) lines already wait: dropped")
        }
    }

    /// Starts a clean close: the closing marker now, or once the frames still waiting for a connection are sent.
    private func quit(_ slot: ConnectionSlot) async -> InputEnd {
        switch slot.requestQuit() {
        case .connected(let writer, let clientID):
            return await finish(on: writer, clientID: clientID) ? .closing : .now
        case .afterPending(let count):
            output.status("\(count) line\(count == 1 ? " waits" : "s wait") for the connection; sending \(count == 1 ? "it" : "them") first (waiting up to \(Self.closeWait.components.seconds) s)")
            return .closing
        case .now:
            return .now
        }
    }

    /// Sends the closing marker (or, without a client id to send it to, the close itself); returns
    /// whether the connection took it.
    @discardableResult
    private func finish(on writer: WebSocketOutboundWriter, clientID: String?) async -> Bool {
        do {
            if let clientID, case .send(let marker) = ClientInput(line: "/private \(clientID) \(closingMarker)") {
                try await writer.write(.text(marker))
            } else {
                try await writer.close(.normalClosure, reason: nil)
            }
            return true
        } catch {
            return false
        }
    }

    /// `1.5 s`.
    private static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%.1f s", Double(seconds) + Double(attoseconds) / 1e18)
    }
}
