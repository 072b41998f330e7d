import ArgumentParser
import Gateway
import Logging
import Synchronization

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `gateway bench churn`: WebSocket connections opened and closed per second, with the
/// `client-connected` / `client-disconnected` webhooks delivered to a local receiver.
struct ChurnBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "churn",
        abstract: "Connections opened and closed per second, with the connect/disconnect webhooks on.",
        discussion: """
            Starts `gateway serve` as a child (loopback allowed for webhooks), subscribes a local receiver to \
            client-connected and client-disconnected, then W workers each connect, wait for the welcome and \
            close, again and again, for the duration. Prints cycles/s, connect-to-welcome latency, the webhooks \
            delivered, how long after the churn the last one arrived, and the server's CPU per cycle.
            Example: gateway bench churn --workers 16 --duration 5
            """
    )

    @Option(help: "Concurrent connect/close loops.") var workers = 16
    @Option(help: "Seconds to churn.") var duration = 5.0
    @Flag(inversion: .prefixedNo, help: "Subscribe a receiver to the connect/disconnect events.") var webhooks = true
    @Option(help: "A running gateway to drive instead (with --no-webhooks; no CPU or memory figures).") var url: String?

    func validate() throws {
        guard workers >= 1, duration > 0 else { throw ValidationError("--workers ≥ 1, --duration > 0") }
        if url != nil && webhooks { throw ValidationError("--url needs --no-webhooks (the receiver must be reachable from the server)") }
    }

    func run() async throws {
        let server = try url.map { BenchServer.external(url: $0, token: nil) }
            ?? BenchServer.start(settings: ["WEBHOOKS_ALLOWED_NETWORKS": "127.0.0.0/8", "BROADCAST_MAX_CONNECTIONS": "\(workers + 100)"])
        defer { server.stop() }
        let receiver = BenchReceiver()
        try await receiver.run(logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })) { port in
            if webhooks { try await subscribe(server: server, url: "http://127.0.0.1:\(port)/hook") }
            let before = server.usage()
            let start = ContinuousClock.now
            let end = start + .seconds(duration)
            let samples = try await withThrowingTaskGroup(of: [Duration].self) { group in
                for _ in 0..<workers {
                    group.addTask {
                        var samples: [Duration] = []
                        while ContinuousClock.now < end, !Task.isCancelled {
                            samples.append(try await cycle(url: server.webSocketURL))
                        }
                        return samples
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            let churned = start.duration(to: .now)
            let expected = webhooks ? 2 * samples.count : 0
            let delivered = await receiver.waitForCount(expected, timeout: .seconds(60))
            let drained = start.duration(to: .now)
            let after = server.usage()
            var lines = [
                "churn: \(workers) workers connecting and closing for \(fixed(churned.seconds, 1)) s, webhooks \(webhooks ? "on" : "off")",
                "  cycles (open + close)     \(samples.count), \(Int(Double(samples.count) / churned.seconds))/s",
                "  connect → welcome         \(LatencySummary(samples))",
            ]
            if webhooks {
                lines.append("  webhooks delivered        \(receiver.count) of \(expected)\(delivered ? "" : " (gave up waiting)"), the last \(Int((drained - churned).seconds * 1000)) ms after the churn ended")
            }
            if let before, let after {
                let cpu = after.cpuSeconds - before.cpuSeconds
                lines.append("  server CPU                \(fixed(cpu / Double(max(1, samples.count)) * 1e6, 1)) µs per cycle, deliveries included (\(fixed(cpu, 2)) s)")
                // Every connection is closed again: growth here is what a closed connection leaves behind.
                let growth = Double(after.residentBytes - before.residentBytes)
                lines.append("  server RSS                \(fixed(Double(after.residentBytes) / 1_048_576, 1)) MiB after, \(fixed(growth / 1_048_576, 1)) MiB more than before (\(Int(growth / Double(max(1, samples.count)))) bytes per cycle)")
            }
            print(lines.joined(separator: "\n"))
        }
    }

    /// One connection: open, wait for the welcome, close, wait for the end. Returns open-to-welcome.
    private func cycle(url: String) async throws -> Duration {
        let changed = WakeupSignal()
        let welcomed = WelcomeTime()
        let socket = BenchSocket(url: url, changed: changed) { _ in
            welcomed.mark()
            changed.signal()
        }
        let start = ContinuousClock.now
        async let running: Void = socket.run()
        let ok = await BenchSockets.wait(on: changed, timeout: .seconds(10)) {
            if welcomed.instant != nil { return true }
            if case .failed = socket.currentPhase { return true }
            return socket.currentPhase == .closed
        }
        socket.close()
        await running
        guard ok, let instant = welcomed.instant else { throw BenchError("a connection got no welcome: \(socket.currentPhase)") }
        return start.duration(to: instant)
    }

    /// `POST /webhooks` for the connect and disconnect events.
    private func subscribe(server: BenchServer, url: String) async throws {
        var request = URLRequest(url: URL(string: server.httpURL + "/webhooks")!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "content-type")
        request.setValue("Bearer \(server.token ?? "")", forHTTPHeaderField: "authorization")
        request.httpBody = Data(#"{"url": "\#(url)", "events": ["client-connected", "client-disconnected"]}"#.utf8)
        let (body, response) = try await URLSession.shared.data(for: request)
        guard (response as? HTTPURLResponse)?.statusCode == 201 else { throw BenchError("POST /webhooks: \(String(decoding: body, as: UTF8.self))") }
    }
}

/// When the first frame (the welcome) arrived.
final class WelcomeTime: Sendable {
    private let value = Mutex<ContinuousClock.Instant?>(nil)

    var instant: ContinuousClock.Instant? { value.withLock { $0 } }

    func mark() { value.withLock { $0 = $0 ?? .now } }
}
