import Foundation
import Synchronization

/// The real `gateway` binary (built next to the test bundle) running as a child process: write to its
/// stdin, wait for a line of its stdout or for its exit, read its stderr. Waits are bounded and never
/// sleep. The child is killed with SIGKILL by ``kill()`` or when this object goes away (children
/// spawned from Swift tests may ignore SIGTERM).
final class GatewayProcess: Sendable {
    private let process: Process
    private let input: Pipe
    private let lines = TestMailbox<String>()
    private let exit = TestMailbox<Int32>()
    private let stderr = TextBuffer()
    /// Ends when the child's stderr reached end of file (everything it wrote has been read).
    private let stderrClosed = TestMailbox<Never>()

    private static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("gateway")
    }

    /// Starts `gateway arguments…` with stdin, stdout and stderr on pipes, without the caller's
    /// `GATEWAY_*` and proxy variables (loopback traffic must not go through a proxy).
    init(_ arguments: [String]) throws {
        process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { key, _ in
            !key.hasPrefix("GATEWAY_") && !key.lowercased().hasSuffix("_proxy")
        }
        input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        let exit = self.exit
        process.terminationHandler = { exit.push($0.terminationStatus) }
        try process.run()
        Self.readLines(output, into: lines)
        let stderr = self.stderr
        let stderrClosed = self.stderrClosed
        Thread.detachNewThread {
            while true {
                let chunk = errors.fileHandleForReading.availableData
                if chunk.isEmpty { return stderrClosed.finish() }
                stderr.text.withLock { $0 += String(decoding: chunk, as: UTF8.self) }
            }
        }
    }

    deinit {
        kill()
    }

    /// Writes `line` and a newline to the child's stdin.
    func send(_ line: String) {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
    }

    /// Closes the child's stdin (end of input).
    func closeInput() {
        try? input.fileHandleForWriting.close()
    }

    /// The next stdout line containing `text`, skipping others; throws if none comes within `timeout`
    /// (in all, not per line: a child that keeps printing other lines cannot stretch the wait).
    func line(containing text: String, within timeout: Duration = .seconds(15)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while true {
            guard let line = try await lines.next(within: max(deadline - ContinuousClock.now, .zero)) else {
                throw TestFailure("output ended before a line with '\(text)'; stderr: \(errorOutput)")
            }
            if line.contains(text) { return line }
        }
    }

    /// Waits for the child to exit and for the last of its stderr to be read, and returns its status
    /// (the exit can be reported before the reader thread has read what was written just before it).
    func exitStatus(within timeout: Duration = .seconds(15)) async throws -> Int32 {
        guard let status = try await exit.next(within: timeout) else { throw TestFailure("no exit status") }
        _ = try await stderrClosed.next(within: timeout)
        return status
    }

    /// What the child wrote to stderr so far.
    var errorOutput: String {
        stderr.text.withLock { $0 }
    }

    /// Kills the child (SIGKILL) if it still runs.
    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }

    /// Text collected from a pipe.
    private final class TextBuffer: Sendable {
        let text = Mutex("")
    }

    /// Reads a pipe line by line on its own thread (off the cooperative pool), into `lines`.
    private static func readLines(_ pipe: Pipe, into lines: TestMailbox<String>) {
        Thread.detachNewThread {
            var buffer = ""
            while true {
                let chunk = pipe.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                buffer += String(decoding: chunk, as: UTF8.self)
                while let newline = buffer.firstIndex(of: "\n") {
                    lines.push(String(buffer[..<newline]))
                    buffer = String(buffer[buffer.index(after: newline)...])
                }
            }
            lines.finish()
        }
    }
}
