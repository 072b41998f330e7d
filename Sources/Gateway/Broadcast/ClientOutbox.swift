public import NIOCore
import Synchronization

/// One connection's bounded outbound queue.
///
/// The hub enqueues without waiting (a `Mutex` section of a few instructions). The connection's
/// writer (``ClientWriter``, on the channel's event loop, no task of its own) is woken when work
/// arrives while it is idle, and then ``take()``s everything queued at once until nothing is left.
/// Bounds: ``Limits/frames`` and ``Limits/bytes``. Overflow policy: **evict** — the queued frames are
/// dropped, the connection is closed with ``HubCloseCode/evicted``, and the hub stops sending to it.
/// Nobody else waits.
///
/// `Mutex` rather than an actor: enqueue is a short synchronous section called for every client
/// on every broadcast, and must never suspend the broadcaster.
public final class ClientOutbox: Sendable {
    /// The queue bounds.
    public struct Limits: Sendable {
        public var frames: Int
        public var bytes: Int
        public init(frames: Int, bytes: Int) {
            self.frames = frames
            self.bytes = bytes
        }
    }

    /// What the writer should do next.
    public enum Batch: Sendable, Equatable {
        /// Write these frames, in order.
        case frames([ByteBuffer])
        /// Write these frames, then close with this code and reason.
        case close(frames: [ByteBuffer], code: UInt16, reason: String)
        /// The connection is over; stop.
        case finished
    }

    /// The result of ``enqueue(_:)``.
    public enum EnqueueResult: Sendable, Equatable {
        case queued
        /// The bound was hit by this frame: the client is now evicted.
        case overflowed
        /// The outbox no longer takes frames (closing, evicted or finished).
        case rejected
    }

    /// Where the outbox is in its life: open, closing (requested or taken by the writer), finished.
    private enum Status { case open, closeRequested(UInt16, String), closeTaken(UInt16), finished }

    /// The writer's two callbacks.
    private struct Writer {
        var wake: @Sendable () -> Void
        var closeRequested: @Sendable () -> Void
    }

    /// The queue, its byte count, its status and the writer.
    private struct State {
        var frames: [ByteBuffer] = []
        var bytes = 0
        var status = Status.open
        var writer: Writer?
        /// The writer was woken and has not yet found the outbox empty.
        var writerBusy = false
        var closeAnnounced = false

        /// The callbacks to run (outside the lock) after a change: wake an idle writer if there is
        /// work, and announce a close request once.
        mutating func callbacks() -> [@Sendable () -> Void] {
            guard let writer else { return [] }
            var calls: [@Sendable () -> Void] = []
            if !writerBusy, hasWork {
                writerBusy = true
                calls.append(writer.wake)
            }
            if !closeAnnounced, isClosing {
                closeAnnounced = true
                calls.append(writer.closeRequested)
            }
            return calls
        }

        var hasWork: Bool {
            switch status {
            case .open: !frames.isEmpty
            case .closeRequested, .finished: true
            case .closeTaken: false
            }
        }

        var isFinished: Bool {
            if case .finished = status { return true }
            return false
        }

        var isClosing: Bool {
            switch status {
            case .open, .finished: false
            case .closeRequested, .closeTaken: true
            }
        }
    }

    private let limits: Limits
    private let state = Mutex(State())

    /// Creates an empty outbox.
    public init(limits: Limits) {
        self.limits = limits
    }

    /// Registers the connection's writer.
    /// - Parameters:
    ///   - wake: Called (never under the lock) when work arrives while the writer is idle, and at
    ///     once if work is already queued; the writer then calls ``take()`` until it returns `nil`.
    ///   - closeRequested: Called once when a close is requested or the client evicted, so the
    ///     writer can bound the close handshake even while a write is stuck on a client that does not read.
    public func attach(wake: @escaping @Sendable () -> Void, closeRequested: @escaping @Sendable () -> Void) {
        let calls = state.withLock { state -> [@Sendable () -> Void] in
            guard !state.isFinished else { return [] }
            state.writer = Writer(wake: wake, closeRequested: closeRequested)
            return state.callbacks()
        }
        for call in calls { call() }
    }

    /// Queues a frame; never waits. On overflow the client is evicted (see the type's overflow policy).
    @discardableResult
    public func enqueue(_ frame: ByteBuffer) -> EnqueueResult {
        let (result, calls) = state.withLock { state -> (EnqueueResult, [@Sendable () -> Void]) in
            guard case .open = state.status else { return (.rejected, []) }
            if state.frames.count + 1 > limits.frames || state.bytes + frame.readableBytes > limits.bytes {
                state.frames = []
                state.bytes = 0
                state.status = .closeRequested(HubCloseCode.evicted, "outbound queue overflow")
                return (.overflowed, state.callbacks())
            }
            state.frames.append(frame)
            state.bytes += frame.readableBytes
            return (.queued, state.callbacks())
        }
        for call in calls { call() }
        return result
    }

    /// Asks the writer to send what is queued, then close with `code`. Later frames are rejected.
    /// - Returns: Whether this request is the one that closes (`false`: already closing or finished).
    @discardableResult
    public func requestClose(code: UInt16, reason: String) -> Bool {
        let calls = state.withLock { state -> [@Sendable () -> Void]? in
            guard case .open = state.status else { return nil }
            state.status = .closeRequested(code, reason)
            return state.callbacks()
        }
        for call in calls ?? [] { call() }
        return calls != nil
    }

    /// Ends the outbox: the writer's next ``take()`` returns ``Batch/finished``.
    public func finish() {
        let calls = state.withLock { state -> [@Sendable () -> Void] in
            state.status = .finished
            state.frames = []
            state.bytes = 0
            // The last wake, then let the writer go: its callbacks hold it, and it holds this outbox
            // and its channel, a cycle that would outlive the connection.
            defer { state.writer = nil }
            return state.callbacks()
        }
        for call in calls { call() }
    }

    /// The close code the server asked for (a close request or an eviction), `nil` while open or once finished.
    public var closeCode: UInt16? {
        state.withLock { state in
            switch state.status {
            case .closeRequested(let code, _), .closeTaken(let code): code
            case .open, .finished: nil
            }
        }
    }

    /// The writer has taken the close: its close frame is written (or being written) after the frames before it.
    public var closeTaken: Bool {
        state.withLock { state in
            if case .closeTaken = state.status { return true }
            return false
        }
    }

    /// Frames waiting to be written (for `/info`).
    public var queuedFrames: Int { state.withLock { $0.frames.count } }

    /// Everything queued so far, a close request, or the end; `nil` when there is nothing to do, after
    /// which the writer is idle until its next wake. Only the writer calls this.
    public func take() -> Batch? {
        state.withLock { state in
            switch state.status {
            case .finished:
                return .finished
            case .closeTaken:
                state.writerBusy = false
                return nil
            case .closeRequested(let code, let reason):
                state.status = .closeTaken(code)
                defer {
                    state.frames = []
                    state.bytes = 0
                }
                return .close(frames: state.frames, code: code, reason: reason)
            case .open:
                guard !state.frames.isEmpty else {
                    state.writerBusy = false
                    return nil
                }
                defer {
                    state.frames = []
                    state.bytes = 0
                }
                return .frames(state.frames)
            }
        }
    }
}

/// The close codes the hub sends, documented in the README's WebSocket section.
public enum HubCloseCode {
    /// Normal closure.
    public static let normal: UInt16 = 1000
    /// The server is shutting down.
    public static let goingAway: UInt16 = 1001
    /// The client broke the WebSocket protocol (a reserved bit or opcode, a stray continuation frame).
    public static let protocolError: UInt16 = 1002
    /// The client sent more messages per second than allowed.
    public static let policyViolation: UInt16 = 1008
    /// A frame or message was larger than allowed.
    public static let messageTooBig: UInt16 = 1009
    /// The hub is full: try again later.
    public static let tryAgainLater: UInt16 = 1013
    /// The client read too slowly and its outbound queue overflowed (private-use range).
    public static let evicted: UInt16 = 4001
}
