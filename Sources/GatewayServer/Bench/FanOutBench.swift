import ArgumentParser
import Gateway
import NIOCore
import Synchronization

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `gateway bench fanout`: N WebSocket subscribers, one publisher at a fixed rate (or as fast as the
/// hub keeps up); delivered frames/s, loss, send-to-receive latency, and the server's CPU per frame.
struct FanOutBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fanout",
        abstract: "Hub fan-out: frames/s, loss, latency percentiles, server CPU per frame and RSS.",
        discussion: """
            Without --url it starts `gateway serve` as a child on 127.0.0.1 and reads its CPU time and memory \
            from /proc; with --url it drives that server (no CPU or memory figures). The publisher is the first \
            subscriber (it receives its own messages, as every client does); each message carries its send time.
            Example: gateway bench fanout --subscribers 100 --rate 1000 --duration 10
            """
    )

    @Option(help: "WebSocket clients receiving every message (the publisher is one of them).") var subscribers = 100
    @Option(help: "Messages per second (0: as fast as the hub keeps up, at most 64 unreceived).") var rate = 1000
    @Option(help: "Seconds to publish.") var duration = 5.0
    @Option(help: "Publish over ws (a WebSocket chat message) or http (POST /broadcast).") var publish = "ws"
    @Option(help: "A running gateway to drive, e.g. http://127.0.0.1:8000 (default: start one).") var url: String?
    @Option(help: "Admin token of --url, when it protects POST /broadcast.") var token: String?
    @Option(help: "The started server's broadcast.writeDelayMilliseconds (0: write every broadcast at once).") var writeDelay = 0

    func validate() throws {
        guard subscribers >= 1, rate >= 0, duration > 0 else { throw ValidationError("--subscribers ≥ 1, --rate ≥ 0, --duration > 0") }
        guard (0...1000).contains(writeDelay), writeDelay == 0 || url == nil else {
            throw ValidationError("--write-delay is 0…1000 ms and applies to the server the benchmark starts (not to --url)")
        }
        guard ["ws", "http"].contains(publish) else { throw ValidationError("--publish is ws or http") }
    }

    func run() async throws {
        let server = try url.map { BenchServer.external(url: $0, token: token) } ?? BenchServer.start(settings: [
            "BROADCAST_MESSAGES_PER_SECOND": "1000000", "BROADCAST_BURST": "1000000", "BROADCAST_MAX_CONNECTIONS": "\(subscribers + 100)",
            "BROADCAST_WRITE_DELAY_MILLISECONDS": "\(writeDelay)",
        ])
        defer { server.stop() }
        let reference = ContinuousClock.now
        let tallies = (0..<subscribers).map { _ in FanOutTally(reference: reference) }
        let publisherProgress = WakeupSignal()
        let report = try await BenchSockets.with(count: subscribers) { index, changed in
            BenchSocket(url: server.webSocketURL, changed: changed) { frame in
                tallies[index].record(frame)
                if index == 0 { publisherProgress.signal() }
            }
        } _: { crowd in
            let before = server.usage()
            let clock = ContinuousClock.now
            let sent = try await publishMessages(server: server, crowd: crowd, reference: reference, tallies: tallies, progress: publisherProgress)
            let publishing = clock.duration(to: .now)
            let expected = sent * subscribers
            _ = await BenchSockets.wait(on: crowd.changed, timeout: .seconds(5)) { tallies.reduce(0) { $0 + $1.count } >= expected }
            return FanOutReport(
                subscribers: subscribers, rate: rate, publish: publish, writeDelay: writeDelay, sent: sent, expected: expected, tallies: tallies, publishing: publishing,
                elapsed: clock.duration(to: .now), before: before, after: server.usage()
            )
        }
        print(report)
        // The same frames, same rate, same number of loopback sockets, written by a bare thread: the raw limit.
        let payloadBytes = tallies.last?.frameBytes ?? 0
        if server.isLocal, payloadBytes > 0 {
            // The payload plus the server's unmasked frame header (2 bytes up to 125, 4 up to 65 535, else 10).
            let frameBytes = payloadBytes + (payloadBytes < 126 ? 2 : payloadBytes < 65_536 ? 4 : 10)
            // As many frames per write as the server managed (a write delay's windows, or a backlog).
            let framesPerWrite = report.writeCallsPerFrame.map { max(1, Int((1 / $0).rounded())) } ?? 1
            let floor = try await KernelWriteFloor(
                connections: subscribers, messages: min(report.sent, rate > 0 ? 2 * rate : 2_000), rate: rate, frameBytes: frameBytes,
                framesPerWrite: framesPerWrite
            ).measure()
            let writes = framesPerWrite == 1 ? "per write(2)" : "per frame, \(framesPerWrite) frames per write(2),"
            print("  kernel floor              \(fixed(floor, 2)) µs CPU \(writes) of the same \(frameBytes)-byte frames to \(subscribers) loopback sockets, same rate, no server")
        }
    }

    /// Sends for `duration` seconds; returns how many messages went out.
    private func publishMessages(
        server: BenchServer, crowd: BenchSockets, reference: ContinuousClock.Instant, tallies: [FanOutTally], progress: WakeupSignal
    ) async throws -> Int {
        let start = ContinuousClock.now
        let end = start + .seconds(duration)
        let interval = rate > 0 ? Duration.seconds(1) / rate : .zero
        var sent = 0
        while ContinuousClock.now < end, !Task.isCancelled {
            if rate > 0 {
                try await Task.sleep(until: start + interval * sent, clock: .continuous)
            } else {
                // As fast as the hub keeps up: at most 64 messages the publisher has not received back.
                _ = await BenchSockets.wait(on: progress, timeout: .seconds(5)) { sent - tallies[0].count < 64 }
            }
            let text = FanOutTally.message(sequence: sent, reference: reference)
            if publish == "ws" {
                guard crowd.sockets[0].send(#"{"message":"\#(text)"}"#) else { throw BenchError("the publisher's socket is closed or its send buffer is full") }
            } else {
                try await postBroadcast(text, server: server)
            }
            sent += 1
        }
        return sent
    }

    /// `POST /broadcast` with the message.
    private func postBroadcast(_ text: String, server: BenchServer) async throws {
        var request = URLRequest(url: URL(string: server.httpURL + "/broadcast")!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "content-type")
        if let token = server.token { request.setValue("Bearer \(token)", forHTTPHeaderField: "authorization") }
        request.httpBody = Data(#"{"message":"\#(text)"}"#.utf8)
        let (_, response) = try await URLSession.shared.data(for: request)
        guard (response as? HTTPURLResponse)?.statusCode == 200 else { throw BenchError("POST /broadcast answered \(response)") }
    }
}

/// What one subscriber received: the benchmark's frames and their latencies.
final class FanOutTally: Sendable {
    /// Latency samples kept per subscriber; beyond this, frames are counted but not timed.
    static let sampleLimit = 200_000

    /// Frames counted and the latencies kept.
    private struct State {
        var count = 0
        var latencies: [Duration] = []
        /// Size of the last benchmark frame (its WebSocket payload).
        var frameBytes = 0
    }

    private let reference: ContinuousClock.Instant
    private let state = Mutex(State())

    init(reference: ContinuousClock.Instant) {
        self.reference = reference
    }

    /// The text of message `sequence`: `bench:<sequence>:<nanoseconds since reference>`.
    static func message(sequence: Int, reference: ContinuousClock.Instant) -> String {
        let nanos = reference.duration(to: .now).nanoseconds
        return "bench:\(sequence):\(nanos)"
    }

    var count: Int { state.withLock { $0.count } }
    var frameBytes: Int { state.withLock { $0.frameBytes } }
    var latencies: [Duration] { state.withLock { $0.latencies } }

    /// Counts and times a frame if it carries a benchmark message. Scans UTF-8 bytes: the client shares
    /// the server's two cores, and every microsecond it spends per frame shows up in the latencies.
    /// What a benchmark message's text starts with.
    private static let marker = Array("bench:".utf8)

    func record(_ frame: ByteBuffer) {
        let sent: Int64? = frame.withUnsafeReadableBytes { bytes in
            let marker = Self.marker
            guard let start = bytes.indices.first(where: { bytes[$0...].starts(with: marker) }) else { return nil }
            // "bench:<sequence>:<nanoseconds>": the number after the second colon.
            var index = start + marker.count
            while index < bytes.count, bytes[index] != UInt8(ascii: ":") { index += 1 }
            index += 1
            var value: Int64 = 0
            var digits = 0
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                value = value * 10 + Int64(bytes[index] - 0x30)
                index += 1
                digits += 1
            }
            return digits > 0 ? value : nil
        }
        guard let sent else { return }
        let latency = Duration.nanoseconds(reference.duration(to: .now).nanoseconds - sent)
        state.withLock { state in
            state.count += 1
            state.frameBytes = frame.readableBytes
            if state.latencies.count < Self.sampleLimit { state.latencies.append(latency) }
        }
    }
}

extension Duration {
    /// The whole duration in nanoseconds.
    var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}

/// The figures `gateway bench fanout` prints.
struct FanOutReport: CustomStringConvertible {
    let subscribers: Int
    let rate: Int
    let publish: String
    let writeDelay: Int
    let sent: Int
    let expected: Int
    let tallies: [FanOutTally]
    let publishing: Duration
    let elapsed: Duration
    let before: ProcessUsage?
    let after: ProcessUsage?

    /// Benchmark frames received by all subscribers.
    var delivered: Int { tallies.reduce(0) { $0 + $1.count } }

    /// The server's write system calls per delivered frame, when it is local and `/proc/<pid>/io` readable.
    var writeCallsPerFrame: Double? {
        guard let writesBefore = before?.writeCalls, let writesAfter = after?.writeCalls, delivered > 0, writesAfter > writesBefore else { return nil }
        return Double(writesAfter - writesBefore) / Double(delivered)
    }

    var description: String {
        let delivered = self.delivered
        let latency = LatencySummary(tallies.flatMap(\.latencies))
        var lines = [
            "fan-out: \(subscribers) subscribers, \(rate == 0 ? "as fast as possible" : "\(rate) messages/s") for \(fixed(publishing.seconds, 1)) s, published over \(publish)"
                + (writeDelay > 0 ? ", write delay \(writeDelay) ms" : ""),
            "  sent                      \(sent) messages",
            "  delivered                 \(delivered) frames of \(expected) (lost \(max(0, expected - delivered)))",
            "  throughput                \(Int(Double(delivered) / publishing.seconds)) frames/s",
            "  latency send→receive      \(latency)",
        ]
        if let before, let after {
            let cpu = after.cpuSeconds - before.cpuSeconds
            let perFrame = delivered > 0 ? cpu / Double(delivered) * 1e6 : 0
            lines.append("  server CPU                \(fixed(perFrame, 2)) µs per delivered frame (\(fixed(cpu, 2)) s in \(fixed(elapsed.seconds, 1)) s, \(Int(cpu / elapsed.seconds * 100))% of a core)")
            if let perFrame = writeCallsPerFrame {
                lines.append("  server write calls        \(fixed(perFrame, 3)) per delivered frame (writev to sockets and event-loop wake-ups)")
            }
            lines.append("  server memory             RSS \(fixed(Double(after.residentBytes) / 1_048_576, 1)) MiB")
        }
        return lines.joined(separator: "\n")
    }
}

/// `value` with `digits` decimals.
func fixed(_ value: Double, _ digits: Int) -> String {
    String(format: "%.\(digits)f", value)
}
