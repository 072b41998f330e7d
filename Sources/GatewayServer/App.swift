import ArgumentParser
import Configuration
import Gateway
import Hummingbird
import Metrics

import Foundation

/// `gateway`: the WebSocket broadcast hub and webhook gateway. With no subcommand it serves.
@main
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "A WebSocket broadcast hub with a durable webhook gateway.",
        subcommands: [Serve.self, Receive.self, Token.self, ClientCommand.self, Bench.self, API.self],
        defaultSubcommand: Serve.self
    )
}

/// `gateway serve`: reads configuration (flags > GATEWAY_* env > config file > defaults) and runs until SIGINT/SIGTERM.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the server (the default).")

    @Option(help: "Address to bind (http.host, default 0.0.0.0).") var host: String?
    @Option(help: "Port to bind (http.port, default 8000).") var port: Int?
    @Option(help: "Directory for runtime state (data.dir, default data).") var dataDir: String?
    @Option(help: "JSON config file (default config/gateway.json, or GATEWAY_CONFIG).") var config: String?
    @Option(help: "trace, debug, info, notice, warning, error or critical (log.level).") var logLevel: String?
    @Option(help: "text or json (log.format).") var logFormat: String?

    func run() async throws {
        var flags: [String: ConfigContent] = [:]
        if let host { flags["http.host"] = .string(host) }
        if let port { flags["http.port"] = .int(port) }
        if let dataDir { flags["data.dir"] = .string(dataDir) }
        if let logLevel { flags["log.level"] = .string(logLevel) }
        if let logFormat { flags["log.format"] = .string(logFormat) }
        do {
            let reader = try await ConfigurationSources.reader(flags: flags, environment: ProcessInfo.processInfo.environment, configFile: config)
            let metrics = GatewayMetrics()
            // Libraries that record through swift-metrics (Hummingbird's request metrics) land in `/metrics` too.
            MetricsSystem.bootstrap(metrics.factory)
            let app = try await buildApplication(reader: reader, metrics: metrics)
            try await app.runService()
        } catch let error as ConfigurationError {
            // One line an operator can act on, no usage dump and no trace.
            FileHandle.standardError.write(Data("gateway: \(error)\n".utf8))
            throw ExitCode(78)  // EX_CONFIG
        }
    }
}
