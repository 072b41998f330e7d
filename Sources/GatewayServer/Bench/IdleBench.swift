import ArgumentParser
import Gateway

/// `gateway bench idle`: the server's resident memory per idle WebSocket connection.
struct IdleBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idle",
        abstract: "Server memory per idle WebSocket connection (starts its own server to read its RSS).",
        discussion: """
            Starts `gateway serve` as a child, opens and closes 100 connections to warm it up, reads its RSS, \
            opens N connections that stay idle (welcome received), and reads the RSS again.
            Example: gateway bench idle --connections 10000
            """
    )

    @Option(help: "Idle connections to hold open.") var connections = 10_000

    func validate() throws {
        guard connections >= 1 else { throw ValidationError("--connections ≥ 1") }
    }

    func run() async throws {
        let server = try BenchServer.start(settings: ["BROADCAST_MAX_CONNECTIONS": "\(connections + 200)"])
        defer { server.stop() }
        let make: @Sendable (Int, WakeupSignal) -> BenchSocket = { _, changed in BenchSocket(url: server.webSocketURL, changed: changed) { _ in } }
        try await BenchSockets.with(count: 100, make: make) { _ in }
        guard let baseline = server.usage() else { throw BenchError("cannot read the server's /proc entries") }
        let loaded = try await BenchSockets.with(count: connections, concurrency: 128, make: make) { _ in server.usage() }
        guard let loaded else { throw BenchError("cannot read the server's /proc entries") }
        let perConnection = Double(loaded.residentBytes - baseline.residentBytes) / Double(connections)
        print(
            """
            idle connections: \(connections) WebSocket clients open and idle
              server RSS before          \(fixed(Double(baseline.residentBytes) / 1_048_576, 1)) MiB (after 100 connections opened and closed)
              server RSS with them       \(fixed(Double(loaded.residentBytes) / 1_048_576, 1)) MiB
              per idle connection        \(fixed(perConnection / 1024, 2)) KiB
            """
        )
    }
}
