import Gateway
import HummingbirdWSClient
import Logging
import NIOWebSocket

import Foundation

/// `gateway client --demo`: the seed's automated demo, as a check that a hub works end to end.
///
/// Steps, each bounded by `--timeout`: connect and get the welcome; three chat messages, each waited
/// for until the hub broadcasts it back; a ping answered by a pong; a private message to itself;
/// `POST /broadcast` on the same host, waited for as an `api_broadcast` frame; a clean close (1000).
/// It never reconnects: a dropped connection fails the step under way.
struct ClientDemo {
    let endpoint: HubEndpoint
    let output: ClientOutput
    let timeout: Duration
    let logger: Logger

    /// Why the demo failed: the step and what went wrong.
    struct Failure: Error, CustomStringConvertible {
        let step: String
        let reason: String
        var description: String { "demo failed at step '\(step)': \(reason)" }
        /// Whether the hub could not be reached at all (the first step failed).
        var isUnreachable: Bool { step == "connect" }
    }

    /// Runs every step; returns after printing the summary, throws at the first failed step.
    func run() async throws(Failure) {
        let inbox = DemoInbox()
        let slot = ConnectionSlot()
        let connection = HubConnection(url: endpoint.webSocketURL, logger: logger)
        let started = ContinuousClock.now
        output.plain("demo: connecting to \(endpoint.webSocketURL)")
        let result = await withTaskGroup(of: ConnectionEnd.self) { group -> Result<Int, Failure> in
            group.addTask {
                let end = await connection.run { text, _ in
                    output.frame(text)
                    if let message = ReceivedMessage(frame: text), message.messageType != BroadcastMessage.Kind.welcome { inbox.push(message) }
                } onWelcome: { welcome, writer in
                    _ = slot.open(writer, clientID: welcome.clientID)
                    inbox.push(welcome)
                }
                inbox.end(end.description)
                return end
            }
            do throws(Failure) {
                let steps = try await drive(inbox, slot)
                let end = await group.next()
                guard end?.closeCode == 1000 else {
                    throw Failure(step: "close", reason: "expected close code 1000, got \(end?.description ?? "nothing")")
                }
                report("close", "the hub answered the close with 1000")
                return .success(steps + 1)
            } catch {
                group.cancelAll()
                return .failure(error)
            }
        }
        let steps = try result.get()
        let elapsed = ContinuousClock.now - started
        output.plain("demo passed: \(steps) steps in \(Self.milliseconds(elapsed)) against \(endpoint.webSocketURL)")
    }

    /// The steps up to sending the close; returns how many passed.
    private func drive(_ inbox: DemoInbox, _ slot: ConnectionSlot) async throws(Failure) -> Int {
        let welcome = try await step("connect", waitingFor: "the welcome") {
            try await inbox.first { $0.messageType == BroadcastMessage.Kind.welcome }
        }
        let id = welcome.clientID ?? welcome.sender
        report("connect", "welcomed as \(id)")
        var passed = 1
        let run = UUID().uuidString.prefix(8)
        for index in 1...3 {
            let text = "demo message \(index) of 3 (\(run))"
            try await roundTrip("chat \(index)", send: ["message": text], slot, inbox, waitingFor: "the broadcast back") {
                $0.messageType == BroadcastMessage.Kind.chat && $0.sender == id && $0.message == text
            }
            passed += 1
        }
        try await roundTrip("ping", send: ["message_type": "ping"], slot, inbox, waitingFor: "a pong") {
            $0.messageType == BroadcastMessage.Kind.pong
        }
        passed += 1
        let secret = "a private note to myself (\(run))"
        try await roundTrip("private", send: ["message_type": "private", "to": id, "message": secret], slot, inbox, waitingFor: "the private message") {
            $0.messageType == BroadcastMessage.Kind.privateMessage && $0.message == secret
        }
        passed += 1
        try await restBroadcast(inbox, text: "demo REST broadcast (\(run))")
        passed += 1
        try await step("close", waitingFor: "the connection") {
            guard case .connected(let writer, _) = slot.requestQuit() else { throw DemoInbox.Ended(description: "not connected") }
            try await writer.close(.normalClosure, reason: nil)
        }
        return passed
    }

    /// Sends a frame and waits until the hub sends back the message `expected` picks out.
    private func roundTrip(
        _ name: String,
        send fields: [String: String],
        _ slot: ConnectionSlot,
        _ inbox: DemoInbox,
        waitingFor awaited: String,
        expected: @escaping @Sendable (ReceivedMessage) -> Bool
    ) async throws(Failure) {
        let frame = String(decoding: (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data(), as: UTF8.self)
        let sent = ContinuousClock.now
        let reply = try await step(name, waitingFor: awaited) {
            guard case .write(let writer) = slot.send(frame) else { throw DemoInbox.Ended(description: "not connected") }
            try await writer.write(.text(frame))
            return try await inbox.first(where: expected)
        }
        report(name, "sent \(frame), got [\(reply.messageType)] back in \(Self.milliseconds(ContinuousClock.now - sent))")
    }

    /// `POST /broadcast`, then the `api_broadcast` frame it causes.
    private func restBroadcast(_ inbox: DemoInbox, text: String) async throws(Failure) {
        let request = BroadcastRequest(url: endpoint.broadcastURL, timeout: timeout)
        let sent = ContinuousClock.now
        let answer = try await step("POST /broadcast", waitingFor: "the answer") {
            try await request.send(message: text)
        }
        guard answer.status == 200 else {
            throw Failure(step: "POST /broadcast", reason: "\(endpoint.broadcastURL) answered \(answer.status): \(answer.error ?? "no error message")")
        }
        _ = try await step("POST /broadcast", waitingFor: "the api_broadcast frame") {
            try await inbox.first { $0.messageType == BroadcastMessage.Kind.apiBroadcast && $0.message == text }
        }
        let recipients = answer.recipients.map { "\($0) recipient\($0 == 1 ? "" : "s")" } ?? "?"
        report("POST /broadcast", "200 (\(recipients)), got [api_broadcast] back in \(Self.milliseconds(ContinuousClock.now - sent))")
    }

    /// Runs one step's wait under the deadline, turning any error into a ``Failure`` naming the step.
    private func step<Value: Sendable>(
        _ name: String,
        waitingFor awaited: String,
        _ operation: @escaping @Sendable () async throws -> Value
    ) async throws(Failure) -> Value {
        do {
            return try await withDeadline(timeout, operation: operation)
        } catch is DeadlineExceeded {
            throw Failure(step: name, reason: "no \(awaited) within \(Self.seconds(timeout))")
        } catch let ended as DemoInbox.Ended {
            throw Failure(step: name, reason: name == "connect" ? "cannot connect to \(endpoint.webSocketURL): \(ended)" : "\(ended)")
        } catch {
            throw Failure(step: name, reason: "\(error)")
        }
    }

    private func report(_ step: String, _ text: String) {
        output.plain("  ok  \(step): \(text)")
    }

    /// `5 s`, `0.5 s`.
    private static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%g s", Double(seconds) + Double(attoseconds) / 1e18)
    }

    /// `12.3 ms`.
    private static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%.1f ms", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
    }
}
