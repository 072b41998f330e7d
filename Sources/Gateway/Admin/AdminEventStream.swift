import NIOCore
import Synchronization

/// Fans admin events (deliveries changing, inspector requests, registry changes) out to the
/// browser UI's Server-Sent Events streams.
///
/// Publishing never waits: each subscriber has a bounded buffer of ``bufferLimit`` events, and its
/// overflow policy is **drop oldest** (a browser that stopped reading misses old rows, never stalls the
/// engine). With no subscriber, ``isObserved`` is false and publishers skip building events at all.
public final class AdminEventStream: Sendable {
    /// One event: its SSE `event:` name and its JSON `data:`.
    public struct Event: Sendable {
        public var name: String
        public var json: String

        public init(name: String, json: String) {
            self.name = name
            self.json = json
        }

        /// `webhooks`: subscription `id` was `created`, `updated` or `deleted`.
        static func webhookChanged(_ id: String, _ change: String) -> Event {
            Event(name: "webhooks", json: AdminJSON.encode(["id": id, "change": change]))
        }

        /// The event in the `text/event-stream` format.
        var frame: ByteBuffer { ByteBuffer(string: "event: \(name)\ndata: \(json)\n\n") }
    }

    /// Events a subscriber may fall behind by before the oldest are dropped.
    public static let bufferLimit = 256

    private struct State {
        var subscribers: [Int: AsyncStream<Event>.Continuation] = [:]
        var nextID = 0
    }

    private let state = Mutex(State())
    private let observed = Atomic<Int>(0)

    public init() {}

    /// Whether anyone listens (cheap; publishers check it before encoding an event).
    public var isObserved: Bool { observed.load(ordering: .relaxed) > 0 }

    /// Sends `event` to every subscriber without waiting.
    public func publish(_ event: Event) {
        let continuations = state.withLock { Array($0.subscribers.values) }
        for continuation in continuations { continuation.yield(event) }
    }

    /// A new subscription; it ends when the stream is dropped or the caller stops iterating.
    public func subscribe() -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(Self.bufferLimit))
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            state.subscribers[state.nextID] = continuation
            return state.nextID
        }
        observed.add(1, ordering: .relaxed)
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            self.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
            self.observed.subtract(1, ordering: .relaxed)
        }
        return stream
    }
}
