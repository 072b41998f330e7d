import Gateway
import Synchronization

import Foundation

/// The gateway a load benchmark drives: a child `gateway serve` on 127.0.0.1 whose CPU time and
/// memory are read from `/proc`, or one already running at `--url` (then no CPU or memory figures).
final class BenchServer: Sendable {
    /// `http://host:port`, no trailing slash.
    let httpURL: String
    /// The admin token the child was started with (an external server's comes from `--token`).
    let token: String?
    private let process: Process?

    private init(httpURL: String, token: String?, process: Process?) {
        self.httpURL = httpURL
        self.token = token
        self.process = process
    }

    /// `ws://host:port/ws`.
    var webSocketURL: String { "ws" + httpURL.dropFirst(4) + "/ws" }

    /// Whether CPU and memory can be read (the server is our child).
    var isLocal: Bool { process != nil }

    /// A server already running at `url`.
    static func external(url: String, token: String?) -> BenchServer {
        BenchServer(httpURL: url.hasSuffix("/") ? String(url.dropLast()) : url, token: token, process: nil)
    }

    /// Starts `gateway serve` (this same binary) on 127.0.0.1, port 0, a temporary data dir, and waits
    /// for its "Server started" log line.
    /// - Parameter settings: `GATEWAY_*` environment variables, e.g. `["BROADCAST_MAX_CONNECTIONS": "20000"]`.
    static func start(settings: [String: String]) throws -> BenchServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-bench-server-\(UUID().uuidString)").path
        let token = "gw_bench_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        process.arguments = ["serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", directory, "--log-level", "info"]
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GATEWAY_") }
        environment["GATEWAY_AUTH_ADMIN_TOKEN"] = token
        environment["GATEWAY_HTTP_PUBLIC_DIR"] = directory  // no UI files needed
        for (key, value) in settings { environment["GATEWAY_" + key] = value }
        process.environment = environment
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let port = try Self.waitForPort(stderr, process: process)
        return BenchServer(httpURL: "http://127.0.0.1:\(port)", token: token, process: process)
    }

    /// Reads the child's log until it says where it listens, then keeps draining it on a thread
    /// (a full pipe would block the server's logging).
    private static func waitForPort(_ pipe: Pipe, process: Process) throws -> Int {
        var seen = ""
        while true {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { throw BenchError("the server exited before listening:\n\(seen)") }
            seen += String(decoding: chunk, as: UTF8.self)
            if let line = seen.split(separator: "\n").first(where: { $0.contains("Server started") }),
                let port = line.split(separator: "127.0.0.1:").last.flatMap({ Int($0.prefix { $0.isNumber }) })
            {
                Thread.detachNewThread { while !pipe.fileHandleForReading.availableData.isEmpty {} }
                return port
            }
        }
    }

    /// The child's CPU time and resident memory now, or `nil` for an external server.
    func usage() -> ProcessUsage? {
        process.flatMap { ProcessUsage(pid: $0.processIdentifier) }
    }

    /// SIGTERM, then waits for the child to exit (SIGKILL after 10 s).
    func stop() {
        guard let process, process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// A benchmark that could not run, with the reason.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
