import HTTPTypes
import Hummingbird
public import Logging
import NIOCore
import Synchronization

/// The fast local receiver of `gateway bench deliveries`: answers 200 to every POST on 127.0.0.1
/// and records when each `webhook-id` arrived, so the benchmark can compute end-to-end latency.
public final class BenchReceiver: Sendable {
    /// Requests counted and first arrival per `webhook-id`.
    private struct State {
        var count = 0
        var arrivals: [String: ContinuousClock.Instant] = [:]
        /// The count ``waitForCount(_:timeout:)`` waits for: `changed` is signalled when it is reached,
        /// not on every request (a wake-up per request cost the measured process CPU of its own).
        var awaited = Int.max
    }

    private let state = Mutex(State())
    /// Signalled when the awaited count is reached.
    private let changed = WakeupSignal()

    public init() {}

    /// Requests received so far.
    public var count: Int { state.withLock { $0.count } }

    /// Distinct `webhook-id`s seen (without copying their arrival times).
    var arrivalCount: Int { state.withLock { $0.arrivals.count } }

    /// Arrival time of each `webhook-id` seen (the first time).
    var arrivals: [String: ContinuousClock.Instant] { state.withLock { $0.arrivals } }

    /// Forgets what was received (between the two phases of the benchmark).
    func reset() { state.withLock { $0 = State() } }

    /// Returns `true` once `expected` requests have arrived, `false` after `timeout` or on cancellation.
    public func waitForCount(_ expected: Int, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            let reached = state.withLock { state in
                state.awaited = expected
                return state.count >= expected
            }
            if reached { return true }
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero, !Task.isCancelled else { return false }
            await changed.wait(for: min(left, .milliseconds(100)))
        }
    }

    /// Runs the receiver until `body` returns; `body` gets the port.
    public func run<Value: Sendable>(logger: Logger, _ body: @escaping @Sendable (Int) async throws -> Value) async throws -> Value {
        let router = Router()
        router.post("/hook") { request, _ -> HTTPResponse.Status in
            let id = request.headers[HTTPField.Name("webhook-id")!]
            _ = try await request.body.collect(upTo: 1 << 20)
            let now = ContinuousClock.now
            let reached = self.state.withLock { state in
                state.count += 1
                if let id, state.arrivals[id] == nil { state.arrivals[id] = now }
                return state.count >= state.awaited
            }
            if reached { self.changed.signal() }
            return .ok
        }
        let port = BenchPort()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.set(channel.localAddress?.port ?? 0) }, logger: logger
        )
        return try await withThrowingTaskGroup(of: Value?.self) { group in
            group.addTask {
                try await app.run()
                return nil
            }
            let value = try await body(await port.value())
            group.cancelAll()
            return value
        }
    }
}

/// The receiver's port, once the server is listening.
final class BenchPort: Sendable {
    private let port = Mutex<Int?>(nil)
    private let ready = WakeupSignal()

    func set(_ value: Int) {
        port.withLock { $0 = value }
        ready.signal()
    }

    func value() async -> Int {
        while true {
            if let value = port.withLock({ $0 }) { return value }
            if Task.isCancelled { return 0 }
            await ready.wait(for: .milliseconds(100))
        }
    }
}
