import HummingbirdWSClient
import Synchronization

/// The interactive client's current connection, shared by the input loop (which sends) and the
/// connection loop (which connects and reconnects).
///
/// While disconnected, lines typed are kept in order (at most ``capacity``; beyond that a line is
/// refused, and the user told) and sent as soon as the next welcome arrives, before anything typed
/// later. A `Mutex`, because every step is a short synchronous swap; the writes themselves happen
/// outside the lock.
final class ConnectionSlot: Sendable {
    /// What ``send(_:)`` did with a frame.
    enum Sending {
        /// Connected: write it with this writer.
        case write(WebSocketOutboundWriter)
        /// Not connected: kept, sent after the next welcome.
        case queued
        /// Not connected and ``capacity`` frames already wait: dropped.
        case dropped
    }

    /// What ``requestQuit()`` found.
    enum Quitting {
        /// Connected with nothing waiting: finish on this writer; `clientID` is the id the hub gave.
        case connected(WebSocketOutboundWriter, clientID: String?)
        /// Not connected but frames wait: the connection loop sends them, then finishes.
        case afterPending(Int)
        /// Not connected, nothing waits: stop now.
        case now
    }

    /// Everything the two loops share.
    private struct State {
        var writer: WebSocketOutboundWriter?
        var clientID: String?
        var pending: [String] = []
        var quitting = false
    }

    /// How many frames typed while disconnected are kept.
    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int = 100) {
        self.capacity = capacity
    }

    /// Routes a frame from the input loop.
    func send(_ frame: String) -> Sending {
        state.withLock { state in
            if let writer = state.writer { return .write(writer) }
            guard state.pending.count < capacity else { return .dropped }
            state.pending.append(frame)
            return .queued
        }
    }

    /// Called by the connection after the welcome, repeatedly: returns the frames that waited (write
    /// them, then call again), or `[]` once the writer is installed, so nothing typed later can
    /// overtake them.
    func open(_ writer: WebSocketOutboundWriter, clientID: String?) -> [String] {
        state.withLock { state in
            guard state.pending.isEmpty else {
                defer { state.pending.removeAll() }
                return state.pending
            }
            state.writer = writer
            state.clientID = clientID
            return []
        }
    }

    /// The connection ended: frames typed from now on wait for the next one.
    func close() {
        state.withLock { $0.writer = nil }
    }

    /// Marks the client as quitting and says how to finish.
    func requestQuit() -> Quitting {
        state.withLock { state in
            state.quitting = true
            if let writer = state.writer { return .connected(writer, clientID: state.clientID) }
            return state.pending.isEmpty ? .now : .afterPending(state.pending.count)
        }
    }

    /// How many frames wait for a connection.
    var pendingCount: Int {
        state.withLock { $0.pending.count }
    }

    /// Whether the user asked to quit (the connection loop then stops instead of reconnecting).
    var isQuitting: Bool {
        state.withLock { $0.quitting }
    }
}
