import Foundation
import Synchronization

/// The real `gateway` binary (built next to the test bundle) running as a child process: write to its
/// stdin, wait for a line of its stdout, for text on its stderr or for its exit. Waits are bounded and
/// never sleep, and **nothing blocks a thread of Swift's cooperative pool**: the pipes are read on
/// threads of their own and the exit comes from the termination handler. (Tests that read a child's
/// pipe or waited for its exit on the pool held one of its two threads here for seconds; two at once
/// starved every other test's async work, which then timed out together.) The child is killed with
/// SIGKILL by ``kill()`` or when this object goes away (children spawned from Swift tests may ignore SIGTERM).
final class GatewayProcess: Sendable {
    private let process: Process
    private let input: Pipe
    private let lines = TestMailbox<String>()
    private let exit = TestMailbox<Exit>()
    private let stderr = TextBuffer()
    /// A mark per chunk of stderr text read (and at its end).
    private let stderrChanged = TestMailbox<Void>()
    /// Ends when the child's stderr reached end of file (everything it wrote has been read).
    private let stderrClosed = TestMailbox<Never>()

    private static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("gateway")
    }

    /// How the child ended.
    struct Exit: Sendable {
        var status: Int32
        /// Killed by a signal (then `status` is the signal's number), not exited.
        var bySignal: Bool
    }

    /// Starts `gateway arguments…` with stdin, stdout and stderr on pipes, without the caller's
    /// `GATEWAY_*` and proxy variables (loopback traffic must not go through a proxy), plus `environment`.
    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { key, _ in
            !key.hasPrefix("GATEWAY_") && !key.lowercased().hasSuffix("_proxy")
        }.merging(environment) { $1 }
        input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        let exit = self.exit
        process.terminationHandler = { exit.push(Exit(status: $0.terminationStatus, bySignal: $0.terminationReason == .uncaughtSignal)) }
        try process.run()
        Self.readLines(output, into: lines)
        let stderr = self.stderr
        let stderrClosed = self.stderrClosed
        let stderrChanged = self.stderrChanged
        Thread.detachNewThread {
            while true {
                let chunk = errors.fileHandleForReading.availableData
                if chunk.isEmpty {
                    stderrClosed.finish()
                    return stderrChanged.finish()
                }
                stderr.text.withLock { $0 += String(decoding: chunk, as: UTF8.self) }
                stderrChanged.push(())
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

    /// Every stdout line not yet taken, joined by newlines, once stdout ends (the child closed it or exited).
    func allOutput(within timeout: Duration = .seconds(15)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        var taken: [String] = []
        while let line = try await lines.next(within: max(deadline - ContinuousClock.now, .zero)) { taken.append(line) }
        return taken.joined(separator: "\n")
    }

    /// Waits for the child to exit and for the last of its stderr to be read, and returns its status
    /// (the exit can be reported before the reader thread has read what was written just before it).
    func exitStatus(within timeout: Duration = .seconds(15)) async throws -> Int32 {
        try await ended(within: timeout).status
    }

    /// Waits for the child to end (and its stderr to be read to the end); how it ended.
    func ended(within timeout: Duration = .seconds(15)) async throws -> Exit {
        guard let exit = try await exit.next(within: timeout) else { throw TestFailure("no exit status") }
        _ = try await stderrClosed.next(within: timeout)
        return exit
    }

    /// Everything the child wrote to stderr once it contains `marker`; throws if that does not happen
    /// within `timeout` or stderr ends first.
    func errorOutput(containing marker: String, within timeout: Duration = .seconds(30)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while true {
            let text = errorOutput
            if text.contains(marker) { return text }
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero, !stderrHasEnded else { throw TestFailure("no '\(marker)' on stderr; it read: \(text)") }
            do {
                _ = try await stderrChanged.next(within: left)
            } catch {
                throw TestFailure("no '\(marker)' on stderr within \(timeout); it read: \(text)")
            }
        }
    }

    /// The port in the child's `Server started … 127.0.0.1:<port>` line, waiting for it.
    func serverPort(within timeout: Duration = .seconds(30)) async throws -> Int {
        let text = try await errorOutput(containing: "Server started", within: timeout)
        guard let port = text.split(separator: "127.0.0.1:").last.flatMap({ Int($0.prefix { $0.isNumber }) }) else {
            throw TestFailure("no port in \(text)")
        }
        return port
    }

    /// Whether stderr reached end of file.
    private var stderrHasEnded: Bool {
        stderrClosed.isFinished
    }

    /// Sends `signal` (SIGTERM, SIGHUP…) to the child if it still runs.
    func send(signal: Int32) {
        if process.isRunning { Foundation.kill(process.processIdentifier, signal) }
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
