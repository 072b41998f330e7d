import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Remembers the answer to a `POST /broadcast` by its `Idempotency-Key` for 24 hours, so a client
/// retrying after a timeout gets the first result and creates no second set of deliveries.
///
/// Bounded: at most `capacity` keys (overflow policy: the oldest key is forgotten here; the durable
/// copy in the delivery journal still answers it). The journal's copy is what survives a restart;
/// this cache is the fast path and the in-progress marker: concurrent requests with the same key are
/// serialised per key, and the second one gets 409 while the first runs.
final class IdempotencyCache<Value: Sendable>: Sendable {
    /// What is known about a key: new, still running, or answered.
    enum Lookup {
        case new
        case inProgress
        case done(Value)
    }

    /// A key's answer (once there is one) and when the key was first seen.
    private struct Entry {
        var value: Value?
        var storedAt: Date
    }

    /// The keys, and their insertion order for evicting the oldest.
    private struct State {
        var entries: [String: Entry] = [:]
        var order: [String] = []
    }

    private let state = Mutex(State())
    private let capacity: Int
    private let lifetime: TimeInterval

    init(capacity: Int = 10_000, lifetime: TimeInterval = 86_400) {
        self.capacity = capacity
        self.lifetime = lifetime
    }

    /// Looks `key` up and, when it is new, marks it in progress.
    func begin(_ key: String, now: Date = Date()) -> Lookup {
        state.withLock { state in
            if let entry = state.entries[key], now.timeIntervalSince(entry.storedAt) < lifetime {
                return entry.value.map(Lookup.done) ?? .inProgress
            }
            if state.entries[key] == nil { state.order.append(key) }
            state.entries[key] = Entry(value: nil, storedAt: now)
            while state.order.count > capacity {
                state.entries[state.order.removeFirst()] = nil
            }
            return .new
        }
    }

    /// Stores the result for `key`.
    func finish(_ key: String, value: Value) {
        state.withLock { $0.entries[key]?.value = value }
    }

    /// Forgets `key` (the request failed, so a retry should run again).
    func abandon(_ key: String) {
        state.withLock { state in
            state.entries[key] = nil
            state.order.removeAll { $0 == key }
        }
    }
}
