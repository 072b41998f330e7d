import Configuration
import Foundation
import Gateway
import HTTPTypes
import HummingbirdTesting
import Testing

/// `gateway api …`, run as the real binary against the real app on a live port.
@Suite struct APICommandTests {
    /// `gateway api --url <the app> --token <the test token> arguments…`.
    private func api(_ port: Int, _ arguments: [String], token: String = TestAdmin.token, stdin: String? = nil) async throws -> APIRun {
        try await runGateway(["api", "--url", "http://127.0.0.1:\(port)", "--token", token] + arguments, stdin: stdin)
    }

    @Test func statsAndHealthPrintTheServersJSON() async throws {
        try await withLiveApp(TestAdmin.overrides) { _, port in
            let stats = try await api(port, ["--json", "stats"])
            #expect(stats.status == 0, "\(stats)")
            let object = stats.json
            #expect(object["total_messages_sent"] as? Int == 0)
            #expect((object["webhooks"] as? [String: Any])?["queue_depth"] as? Int == 0)
            let health = try await api(port, ["health", "--json"])
            #expect(health.status == 0, "\(health)")
            #expect((health.json["health"] as? [String: Any])?["status"] as? String == "healthy")
            #expect((health.json["ready"] as? [String: Any])?["status"] as? String == "ready")
            let human = try await api(port, ["health"])
            #expect(human.stdout.contains("status       healthy"), "\(human)")
            let info = try await api(port, ["info"])
            #expect(info.status == 0 && info.stdout.contains("total_connections_created"), "\(info)")
        }
    }

    @Test func broadcastReachesAWebSocketClientAndMovesTheMessageCount() async throws {
        try await withLiveApp(TestAdmin.overrides) { _, port in
            try await withWebSockets(port: port, paths: ["/ws/cli-listener"]) { sockets in
                _ = try await sockets[0].next(type: "welcome")
                let sent = try await api(port, ["broadcast", "hello from the CLI", "--sender", "ci", "--type", "notice"])
                #expect(sent.status == 0, "\(sent)")
                #expect(sent.stdout.hasPrefix("Message sent to 1 client"), "\(sent.stdout)")
                let message = try await sockets[0].next(type: "notice")
                #expect(message["message"] == "hello from the CLI" && message["sender"] == "ci")
            }
            let stats = try await api(port, ["--json", "stats"])
            #expect(stats.json["total_messages_sent"] as? Int ?? 0 >= 1, "\(stats)")
        }
    }

    @Test func webhooksAddListGetRotateAndRemove() async throws {
        try await withLiveApp(TestAdmin.overrides) { _, port in
            let url = "http://127.0.0.1:9/cli-hook"
            let added = try await api(port, ["--json", "webhooks", "add", url, "--event", "message-broadcast", "--description", "from the CLI"])
            #expect(added.status == 0, "\(added)")
            let id = try #require(added.json["id"] as? String)
            let secret = try #require(added.json["secret"] as? String)
            #expect(added.json["events"] as? [String] == ["message-broadcast"])

            let listed = try await api(port, ["--json", "webhooks", "list"])
            #expect(((listed.json["data"] as? [[String: Any]]) ?? []).map { $0["id"] as? String } == [id])
            let table = try await api(port, ["webhooks", "list"])
            let lines = table.stdout.split(separator: "\n")
            #expect(lines.first?.hasPrefix("ID ") == true && lines.first?.contains("URL") == true, "\(table.stdout)")
            #expect(lines.count == 2 && lines[1].hasPrefix(id) && lines[1].contains(url) && lines[1].contains("yes"), "\(table.stdout)")
            let urlColumn = lines[0].firstRange(of: "URL").map { lines[0].distance(from: lines[0].startIndex, to: $0.lowerBound) }
            #expect(urlColumn == lines[1].firstRange(of: "http").map { lines[1].distance(from: lines[1].startIndex, to: $0.lowerBound) })

            let got = try await api(port, ["webhooks", "get", id, "--json"])
            #expect(got.json["url"] as? String == url && got.json["secret"] == nil)
            let rotated = try await api(port, ["--json", "webhooks", "rotate", id])
            let newSecret = try #require(rotated.json["secret"] as? String)
            #expect(newSecret.hasPrefix("whsec_") && newSecret != secret)
            #expect(((rotated.json["previous_secrets"] as? [[String: Any]]) ?? []).map { $0["secret"] as? String } == [secret])

            let removed = try await api(port, ["webhooks", "rm", id])
            #expect(removed.status == 0 && removed.stdout == "removed \(id)\n", "\(removed)")
            let after = try await api(port, ["--json", "webhooks", "list"])
            #expect(((after.json["data"] as? [Any]) ?? [1]).isEmpty)
            #expect(try await api(port, ["webhooks", "list"]).stdout == "no webhooks\n")
        }
    }

    @Test func deliveriesListGetRetryAndReplayAfterARealDelivery() async throws {
        let receiver = WebhookReceiver()
        receiver.script("/cli", [.status(400)])  // final: the first delivery goes dead
        try await receiver.run { receiverPort in
            try await withLiveApp(deliveryOverrides()) { client, port in
                let added = try await api(port, ["--json", "webhooks", "add", "http://127.0.0.1:\(receiverPort)/cli", "--event", "message-broadcast"])
                let webhook = try #require(added.json["id"] as? String)
                let before = ISO8601.string(from: Date().addingTimeInterval(-60))
                #expect(try await api(port, ["broadcast", "to the receiver"]).status == 0)
                let first = try await receiver.requests.next(type: "message-broadcast")
                let dead = try await waitForDeliveries(subscription: webhook, status: "dead", client: client)
                let id = try #require(dead.first?["id"] as? String)
                #expect(first.headers["webhook-id"] == id)

                let listed = try await api(port, ["deliveries", "list", "--webhook", webhook, "--status", "dead"])
                #expect(listed.stdout.split(separator: "\n").first?.hasPrefix("ID ") == true, "\(listed)")
                #expect(listed.stdout.contains(id) && listed.stdout.contains("HTTP 400") && listed.stdout.contains("dead"), "\(listed)")
                let all = try await api(port, ["--json", "deliveries", "list"])
                #expect(((all.json["data"] as? [[String: Any]]) ?? []).map { $0["id"] as? String } == [id])

                let replayed = try await api(port, ["--json", "replay", webhook, "--since", before])
                #expect(replayed.json["queued"] as? Int == 1, "\(replayed)")
                let second = try await receiver.requests.next(type: "message-broadcast")
                #expect(second.headers["webhook-id"] == id)
                _ = try await waitForStatus("delivered", delivery: id, client: client)
                let detail = try await api(port, ["--json", "deliveries", "get", id])
                let attempts = (detail.json["attempts"] as? [[String: Any]]) ?? []
                #expect(attempts.map { $0["status_code"] as? Int } == [400, 200])
                #expect((detail.json["payload"] as? [String: Any])?["type"] as? String == "message-broadcast")
                let human = try await api(port, ["deliveries", "get", id])
                #expect(human.stdout.contains("attempts:") && human.stdout.contains("payload:"), "\(human)")
                #expect(human.stdout.contains(#""message" : "to the receiver""#), "\(human)")

                let retried = try await api(port, ["--json", "deliveries", "retry", id])
                #expect(retried.status == 0 && (retried.json["id"] as? String) == id, "\(retried)")
                let third = try await receiver.requests.next(type: "message-broadcast")
                #expect(third.headers["webhook-id"] == id, "the retry sends the same delivery again")
                let none = try await api(port, ["replay", webhook, "--since", "1h"])
                #expect(none.stdout == "queued 0 deliveries\n", "\(none)")
            }
        }
    }

    @Test func errorAnswersPrintTheServersMessageAndExitNonZero() async throws {
        try await withLiveApp(TestAdmin.overrides) { _, port in
            let missing = try await api(port, ["webhooks", "get", "wh_doesnotexist"])
            #expect(missing.status == 1 && missing.stdout.isEmpty)
            #expect(missing.stderr == "gateway: no subscription with id 'wh_doesnotexist' (HTTP 404, not_found)\n", "\(missing)")
            let wrongToken = try await api(port, ["webhooks", "list"], token: "not-the-token")
            #expect(wrongToken.status == 1)
            #expect(wrongToken.stderr == "gateway: the bearer token is not the admin token (HTTP 401, unauthorized)\n", "\(wrongToken)")
            let invalid = try await api(port, ["webhooks", "add", "ftp://example.com/x"])
            #expect(invalid.status == 1 && invalid.stderr.contains("url: ") && invalid.stderr.contains("(HTTP 422, invalid_field)"), "\(invalid)")
        }
        let refused = try await runGateway(["api", "--url", "http://127.0.0.1:1", "stats"])
        #expect(refused.status == 69 && refused.stderr.contains("cannot reach the gateway at http://127.0.0.1:1"), "\(refused)")
        let usage = try await runGateway(["api", "webhooks", "get"])
        #expect(usage.status == 64, "\(usage)")
    }

    @Test func menuShowsStatsThenQuitsAndTheEndOfInputQuitsToo() async throws {
        try await withLiveApp(TestAdmin.overrides) { _, port in
            let run = try await api(port, ["menu"], stdin: "2\nq\n")
            #expect(run.status == 0, "\(run)")
            #expect(run.stdout.contains("2  stats") && run.stdout.contains("total_messages_sent"), "\(run.stdout)")
            let broadcast = try await api(port, ["menu"], stdin: "3\nfrom the menu\n")
            #expect(broadcast.status == 0 && broadcast.stdout.contains("Message sent to 0 clients"), "\(broadcast)")
        }
    }

    @Test func demoBroadcastsDeliversToTheReceiverAndCleansUp() async throws {
        let receiver = WebhookReceiver()
        try await receiver.run { receiverPort in
            try await withLiveApp(deliveryOverrides()) { client, port in
                let run = try await api(port, ["demo", "--receiver", "http://127.0.0.1:\(receiverPort)/demo", "--count", "2"])
                #expect(run.status == 0, "\(run)")
                #expect(run.stdout.contains("2 of 2 deliveries delivered"), "\(run.stdout)")
                #expect(receiver.received.filter { $0.path == "/demo" }.count == 2)
                let left = try await client.admin(.get, "/webhooks").json["data"] as? [Any]
                #expect(left?.isEmpty == true, "the demo removed its webhook")
            }
        }
    }

    @Test func helpDocumentsTheCommandsWithExamples() async throws {
        let group = try await runGateway(["help", "api"])
        #expect(group.status == 0 && group.stdout.contains("webhooks") && group.stdout.contains("GATEWAY_ADMIN_TOKEN"), "\(group)")
        let nested = try await runGateway(["api", "help", "webhooks", "add"])
        #expect(nested.status == 0 && nested.stdout.contains("--event") && nested.stdout.contains("Examples:"), "\(nested)")
    }
}

/// What a finished `gateway` process printed, and how it ended.
private struct APIRun: Sendable, CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String

    /// stdout as a JSON object; empty when it is not one.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any] ?? [:]
    }

    var description: String { "exit \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
}

/// Runs the `gateway` binary next to the test bundle to its end, in a fresh directory (so no `data/admin-token`
/// is picked up), without `GATEWAY_*` variables, with `stdin` as its input (or an empty one). Waits for the
/// exit off the cooperative pool (a termination handler), and SIGKILLs a child that outlives `timeout`.
private func runGateway(_ arguments: [String], stdin: String? = nil, timeout: Duration = .seconds(60)) async throws -> APIRun {
    let directory = TestConfig.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("gateway")
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GATEWAY_") }
    let stdoutPath = directory + "/stdout"
    let stderrPath = directory + "/stderr"
    _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
    _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
    let input = Pipe()
    process.standardInput = input
    let exits = TestMailbox<Int32>()
    process.terminationHandler = { exits.push($0.terminationStatus) }
    try process.run()
    input.fileHandleForWriting.write(Data((stdin ?? "").utf8))
    try input.fileHandleForWriting.close()
    let status: Int32?
    do {
        status = try await exits.next(within: timeout)
    } catch {
        kill(process.processIdentifier, SIGKILL)
        throw TestFailure("gateway \(arguments.joined(separator: " ")) did not exit within \(timeout)")
    }
    return APIRun(
        status: status ?? -1,
        stdout: (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "",
        stderr: (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
    )
}
