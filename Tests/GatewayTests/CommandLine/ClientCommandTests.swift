import Configuration
import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import Testing

/// `gateway client`, run as the real binary against a live hub.
@Suite struct ClientCommandTests {
    private func url(_ port: Int) -> String { "ws://127.0.0.1:\(port)/ws" }

    @Test func demoPassesAgainstALiveHubAndAnotherClientSeesItsMessages() async throws {
        try await withLiveApp { client, port in
            try await withWebSockets(port: port, paths: ["/ws/watcher"]) { sockets in
                let watcher = sockets[0]
                _ = try await watcher.next(type: "welcome")
                let demo = try GatewayProcess(["client", "--demo", "--url", url(port), "--no-color"])
                defer { demo.kill() }
                let summary = try await demo.line(containing: "demo passed")
                #expect(summary.contains("8 steps"), "\(summary)")
                let status = try await demo.exitStatus()
                #expect(status == 0, "stderr: \(demo.errorOutput)")
                for index in 1...3 {
                    let chat = try await watcher.next(type: "chat")
                    #expect(chat["message"]?.hasPrefix("demo message \(index) of 3") == true, "\(chat)")
                }
                let rest = try await watcher.next(type: "api_broadcast")
                #expect(rest["message"]?.hasPrefix("demo REST broadcast") == true, "\(rest)")
                let stats = try await client.get("/stats").json
                // Three chats, a ping, a private message; the watcher sent nothing.
                #expect(stats["messages_received"] as? Int == 5, "\(stats)")
            }
        }
    }

    @Test func interactiveClientPrintsBroadcastsSendsWhatIsTypedAndQuitsWith1000() async throws {
        try await withLiveApp { client, port in
            try await withWebSockets(port: port, paths: ["/ws/bob"]) { sockets in
                let bob = sockets[0]
                _ = try await bob.next(type: "welcome")
                let alice = try GatewayProcess(["client", "--url", url(port), "--id", "alice", "--no-color"])
                defer { alice.kill() }
                _ = try await alice.line(containing: "[welcome]")
                let connected = try await alice.line(containing: "connected to")
                #expect(connected == "* connected to \(url(port))/alice as alice (/help lists the commands)")

                _ = try await client.post("/broadcast", json: #"{"message": "from the test"}"#)
                let line = try await alice.line(containing: "[api_broadcast]")
                #expect(line.wholeMatch(of: /\d\d:\d\d:\d\d API \[api_broadcast\] from the test/) != nil, "\(line)")

                alice.send("hello bob")
                let chat = try await bob.next(type: "chat")
                #expect(chat["sender"] == "alice" && chat["message"] == "hello bob", "\(chat)")
                _ = try await alice.line(containing: "alice [chat] hello bob")

                alice.send("/private bob just for you")
                let note = try await bob.next(type: "private")
                #expect(note["sender"] == "alice" && note["message"] == "just for you", "\(note)")

                alice.send("/ping")
                _ = try await alice.line(containing: "System [pong] pong")

                alice.send("/quit")
                let status = try await alice.exitStatus()
                #expect(status == 0, "stderr: \(alice.errorOutput)")
                let clients = try await client.get("/info").json["clients"] as? [[String: Any]] ?? []
                #expect(clients.compactMap { $0["client_id"] as? String } .contains("bob"))
            }
        }
    }

    @Test func endOfInputSendsWhatWasTypedShowsTheRepliesAndExitsZero() async throws {
        try await withLiveApp { _, port in
            let carol = try GatewayProcess(["client", "--url", url(port), "--id", "carol", "--no-color"])
            defer { carol.kill() }
            carol.send("first")
            carol.send("/private nobody psst")
            carol.closeInput()
            _ = try await carol.line(containing: "carol [chat] first")
            let error = try await carol.line(containing: "[error]")
            #expect(error.hasSuffix("System [error] no connected client with id 'nobody'"), "\(error)")
            let status = try await carol.exitStatus()
            #expect(status == 0, "stderr: \(carol.errorOutput)")
        }
    }

    @Test func aRefusedClientIDIsFinalWithTheReasonOnStderr() async throws {
        try await withLiveApp { _, port in
            let client = try GatewayProcess(["client", "--url", url(port), "--id", String(repeating: "a", count: 65), "--no-color"])
            defer { client.kill() }
            // An attempt can take HubConnection.welcomeTimeout (5 s) before a retry reads the 1008.
            let status = try await client.exitStatus(within: .seconds(30))
            #expect(status == 1)
            #expect(client.errorOutput.contains("refused this client: closed by the hub with 1008 (client_id must be 1 to 64 characters"), "\(client.errorOutput)")
        }
    }

    @Test func demoFailsFastWithAClearMessageWhenNothingListens() async throws {
        let closed = try RefusingPort()
        // "Fast" = it does not wait out its timeout: with a 120-s timeout, an exit within 60 s can only be
        // the refused connection (a 3-s timeout and a 3-s bound failed on a loaded machine at 3.5 s).
        let demo = try GatewayProcess(["client", "--demo", "--url", url(closed.port), "--timeout", "120"])
        defer { demo.kill() }
        let status = try await demo.exitStatus(within: .seconds(60))
        #expect(status == 69)
        #expect(demo.errorOutput == "gateway client: demo failed at step 'connect': cannot connect to \(url(closed.port)): connection refused\n")
    }

    @Test func interactiveClientGivesUpAfterMaxReconnects() async throws {
        let closed = try RefusingPort()
        let client = try GatewayProcess(["client", "--url", url(closed.port), "--max-reconnects", "1", "--no-color"])
        defer { client.kill() }
        let retry = try await client.line(containing: "reconnecting")
        #expect(retry.hasPrefix("* cannot connect (connection refused); reconnecting in 0."), "\(retry)")
        #expect(retry.hasSuffix("(attempt 1 of 1)"), "\(retry)")
        let status = try await client.exitStatus()
        #expect(status == 69)
        #expect(client.errorOutput.contains("gave up after 2 failed attempts"), "\(client.errorOutput)")
    }

    @Test func linesTypedBeforeTheEndOfInputThatFindNoHubAreReported() async throws {
        let closed = try RefusingPort()
        let client = try GatewayProcess(["client", "--url", url(closed.port), "--no-color"])
        defer { client.kill() }
        client.send("anyone there?")
        client.closeInput()
        _ = try await client.line(containing: "1 line waits for the connection")
        let status = try await client.exitStatus()
        #expect(status == 69)
        #expect(client.errorOutput == "gateway client: 1 line not sent: no connection to \(url(closed.port))\n")
    }

    @Test func reconnectsWhenTheHubIsFullUntilThereIsRoom() async throws {
        try await withLiveApp(["broadcast.maxConnections": .int(1)]) { client, port in
            try await withWebSockets(port: port, paths: ["/ws/holder"]) { sockets in
                let holder = sockets[0]
                _ = try await holder.next(type: "welcome")
                let alice = try GatewayProcess(["client", "--url", url(port), "--id", "alice", "--no-color"])
                defer { alice.kill() }
                // An attempt may also end as "no welcome within 5 s" (see HubConnection.welcomeTimeout); a later one reads the 1013.
                let refused = try await alice.line(containing: "1013", within: .seconds(30))
                #expect(refused.hasPrefix("* cannot connect (closed by the hub with 1013 (hub is full)); reconnecting in"), "\(refused)")
                holder.close()
                _ = try await holder.closeCode()
                _ = try await alice.line(containing: "connected to \(url(port))/alice as alice")
                _ = try await client.post("/broadcast", json: #"{"message": "room at last"}"#)
                _ = try await alice.line(containing: "API [api_broadcast] room at last")
                alice.send("/quit")
                let status = try await alice.exitStatus()
                #expect(status == 0, "stderr: \(alice.errorOutput)")
            }
        }
    }

    /// The server goes away (1001) and a new one starts on the same port. Binding the port again is
    /// safe here: Hummingbird sets SO_REUSEADDR, and the kernel hands out port-0 binds at random, so
    /// another test taking this port in the meantime is a one-in-thousands chance. The second server
    /// runs through `runService()` because the `.live` test framework always binds port 0.
    @Test func reconnectsAfterTheServerShutsDownAndComesBackOnTheSamePort() async throws {
        let (alice, port) = try await withLiveApp { _, port in
            let alice = try GatewayProcess(["client", "--url", url(port), "--id", "alice", "--no-color"])
            do {
                _ = try await alice.line(containing: "connected to")
            } catch {
                alice.kill()
                throw error
            }
            return (alice, port)
        }
        defer { alice.kill() }
        let lost = try await alice.line(containing: "reconnecting")
        #expect(lost.hasPrefix("* connection lost (closed by the hub with 1001 (server shutting down)); reconnecting in"), "\(lost)")
        let again = try await buildApplication(reader: TestConfig.reader(["http.port": .int(port)]))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await again.runService() }
            defer { group.cancelAll() }
            _ = try await alice.line(containing: "reconnected to \(url(port))/alice as alice")
            alice.send("still here")
            _ = try await alice.line(containing: "alice [chat] still here")
            alice.send("/quit")
            let status = try await alice.exitStatus()
            #expect(status == 0, "stderr: \(alice.errorOutput)")
        }
    }

    @Test func helpDocumentsEveryOptionWithExamples() async throws {
        let help = try GatewayProcess(["help", "client"])
        defer { help.kill() }
        _ = try await help.line(containing: "Examples:")
        let usage = try await help.line(containing: "USAGE:")
        for option in ["--url", "--id", "--demo", "--no-color", "--timeout", "--max-reconnects"] {
            #expect(usage.contains(option), "\(usage)")
        }
        let status = try await help.exitStatus()
        #expect(status == 0)
    }
}

/// A loopback port where a connection is refused: bound (so no other test can take it) but not listening.
private final class RefusingPort: Sendable {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard descriptor >= 0, bound else {
            close(descriptor)
            throw TestFailure("cannot bind a loopback port")
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit {
        close(descriptor)
    }
}
