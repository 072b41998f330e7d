import Gateway
import HummingbirdWSClient
import Logging
import NIOWebSocket
import Synchronization

/// One WebSocket client of a load benchmark: connects, hands every text frame to `onText`, sends what
/// it is told, closes when told. Lighter than the interactive client: no decoding beyond what the
/// benchmark asks for.
final class BenchSocket: Sendable {
    /// What the connection did, for the benchmark to wait on.
    enum Phase: Sendable, Equatable {
        case connecting, open, closed, failed(String)
    }

    private let url: String
    private let commands: AsyncStream<String?>
    private let commandSink: AsyncStream<String?>.Continuation
    private let phase = Mutex(Phase.connecting)
    private let onText: @Sendable (String) -> Void
    /// Signalled when the phase changes.
    let changed: WakeupSignal

    /// - Parameters:
    ///   - url: `ws://…/ws` (or `/ws/{id}`).
    ///   - commandCapacity: bound of the queue of frames to send. **Overflow policy: drop newest**
    ///     (a benchmark that outruns its own socket counts the lost sends as loss).
    ///   - changed: shared wake-up for phase changes (many sockets may share one).
    ///   - onText: called on the socket's task for each text frame received (the welcome included).
    init(url: String, commandCapacity: Int = 1024, changed: WakeupSignal, onText: @escaping @Sendable (String) -> Void) {
        self.url = url
        (commands, commandSink) = AsyncStream<String?>.makeStream(bufferingPolicy: .bufferingOldest(commandCapacity))
        self.changed = changed
        self.onText = onText
    }

    var currentPhase: Phase { phase.withLock { $0 } }

    /// Queues a text frame; `false` when the queue is full or the socket is done.
    @discardableResult
    func send(_ text: String) -> Bool {
        if case .enqueued = commandSink.yield(text) { return true }
        return false
    }

    /// Starts the close handshake once queued frames are sent.
    func close() { commandSink.yield(nil) }

    /// Connects and runs until the connection ends.
    func run() async {
        let commands = self.commands
        do {
            _ = try await WebSocketClient.connect(url: url, configuration: .init(maxFrameSize: 1 << 20), logger: Logger(label: "bench.ws")) { inbound, outbound, _ in
                self.set(.open)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await command in commands {
                            guard let text = command else {
                                try await outbound.close(.normalClosure, reason: nil)
                                return
                            }
                            try await outbound.write(.text(text))
                        }
                    }
                    for try await message in inbound.messages(maxSize: 1 << 22) {
                        if case .text(let text) = message { self.onText(text) }
                    }
                    group.cancelAll()
                }
            }
            set(.closed)
        } catch {
            set(.failed("\(error)"))
        }
        commandSink.finish()
    }

    private func set(_ new: Phase) {
        phase.withLock { $0 = new }
        changed.signal()
    }
}
