/// The delivery queue's state: events, deliveries, their attempts, per subscription.
///
/// A pure reducer over ``JournalRecord``s: replaying the journal rebuilds exactly the state the
/// live engine had, because the engine changes this state only by applying the records it also
/// appends. ``snapshot()`` is the inverse, used for compaction.
struct DeliveryLedger: Sendable {
    /// A delivery is pending until it is delivered or dead.
    enum Status: String, Sendable, Codable {
        case pending, delivered, dead
    }

    /// One delivery: its record, status, the attempts kept, and when it settled.
    struct Entry: Sendable {
        var record: DeliveryRecord
        var status: Status
        /// Newest last; at most ``DeliveryLedger/maxAttemptsKept``.
        var attempts: [AttemptRecord] = []
        var settledAt: Int64?
        var lastError = ""
        /// Attempts made before the last manual retry (the retry policy counts from here).
        var attemptBase = 0
        /// The engine's timer: the generation of this delivery's live heap entry (0: recovered at
        /// start-up; -1: taken, nothing scheduled). Kept here rather than in a dictionary of its own, which
        /// cost a second hash lookup per delivery and was never emptied.
        var schedule = 0

        var attemptCount: Int { record.attempts }
    }

    static let maxAttemptsKept = 50

    /// Sets the generation of `id`'s live heap entry (see ``Entry/schedule``); unknown ids are ignored.
    mutating func setSchedule(_ generation: Int, of id: String) {
        entries[id]?.schedule = generation
    }

    /// What the scheduler needs of a delivery whose heap entry came up.
    struct Due {
        var status: Status
        var eventID: String
        var subscriptionID: String
        var attempts: Int
        var attemptBase: Int
    }

    /// Uses up `id`'s schedule when `generation` is its live one (one lookup, no copy of the entry and
    /// its attempts); `nil` when that heap entry was superseded, already taken, or the delivery forgotten.
    mutating func takeSchedule(of id: String, generation: Int) -> Due? {
        guard let index = entries.index(forKey: id), entries.values[index].schedule == generation else { return nil }
        entries.values[index].schedule = -1
        let record = entries.values[index].record
        return Due(status: entries.values[index].status, eventID: record.eventID, subscriptionID: record.subscriptionID, attempts: record.attempts, attemptBase: entries.values[index].attemptBase)
    }

    private(set) var events: [String: EventRecord] = [:]
    private(set) var entries: [String: Entry] = [:]
    /// Delivery ids per subscription, in creation order.
    private(set) var bySubscription: [String: [String]] = [:]
    /// `eventID|subscriptionID` → delivery id, so replay does not duplicate.
    private(set) var byEventAndSubscription: [String: String] = [:]

    /// Answered `Idempotency-Key`s, kept for ``idempotencyLifetimeMillis``.
    private(set) var idempotencyKeys: [String: IdempotencyRecord] = [:]
    static let idempotencyLifetimeMillis: Int64 = 86_400_000

    /// Deliveries not yet delivered or dead (kept as a count: `/stats` reads it after every attempt).
    private(set) var pendingCount = 0

    /// Applies one record.
    mutating func apply(_ record: JournalRecord) {
        switch record {
        case .event(let event):
            events[event.eventID] = event
        case .enqueued(let delivery):
            if var existing = entries[delivery.deliveryID] {
                if existing.status != .pending { pendingCount += 1 }
                existing.record.attempts = delivery.attempts
                existing.record.nextAttemptAt = delivery.nextAttemptAt
                existing.attemptBase = delivery.attempts
                existing.status = .pending
                existing.settledAt = nil
                entries[delivery.deliveryID] = existing
            } else {
                entries[delivery.deliveryID] = Entry(record: delivery, status: .pending, attemptBase: delivery.attempts)
                pendingCount += 1
                bySubscription[delivery.subscriptionID, default: []].append(delivery.deliveryID)
                byEventAndSubscription[delivery.eventID + "|" + delivery.subscriptionID] = delivery.deliveryID
            }
        case .attempted(let attempt):
            update(attempt.deliveryID) { entry in
                entry.record.attempts = max(entry.record.attempts, attempt.attempt)
                entry.record.nextAttemptAt = attempt.nextAttemptAt
                // A 2xx attempt clears the error: a delivered delivery sent again by a retry shows none.
                let succeeded = attempt.error.isEmpty && (200..<300).contains(attempt.statusCode)
                entry.lastError = succeeded ? "" : attempt.error.isEmpty ? "HTTP \(attempt.statusCode)" : attempt.error
                entry.attempts.append(attempt)
                if entry.attempts.count > Self.maxAttemptsKept { entry.attempts.removeFirst(entry.attempts.count - Self.maxAttemptsKept) }
            }
        case .delivered(let id, let at):
            settle(id, as: .delivered, at: at)
        case .dead(let id, let at, let reason):
            settle(id, as: .dead, at: at) { $0.lastError = reason }
        case .idempotencyKey(let answer):
            if idempotencyKeys[answer.key] == nil { idempotencyKeys[answer.key] = answer }
        }
    }

    /// Settles `id` (one lookup), counting it out of the pending set if it was pending.
    private mutating func settle(_ id: String, as status: Status, at: Int64, _ change: (inout Entry) -> Void = { _ in }) {
        guard let index = entries.index(forKey: id) else { return }
        if entries.values[index].status == .pending { pendingCount -= 1 }
        update(at: index) { entry in
            entry.status = status
            entry.settledAt = at
            entry.record.nextAttemptAt = 0
            change(&entry)
        }
    }

    private mutating func update(_ id: String, _ change: (inout Entry) -> Void) {
        guard let index = entries.index(forKey: id) else { return }
        update(at: index, change)
    }

    /// Changes an entry **in place**: copying it out and back (as this did) left the dictionary holding
    /// the old copy, so appending to its `attempts` copied the whole array every time.
    private mutating func update(at index: Dictionary<String, Entry>.Index, _ change: (inout Entry) -> Void) {
        change(&entries.values[index])
    }

    /// Forgets settled deliveries older than `retentionMillis`, then the oldest settled ones beyond
    /// `maxRetained`, then events no remaining delivery refers to that are past retention or beyond
    /// the newest `maxRetained` such events. Pending deliveries are never forgotten.
    mutating func prune(now: Int64, retentionMillis: Int64, maxRetained: Int) {
        idempotencyKeys = idempotencyKeys.filter { now - $0.value.storedAt < Self.idempotencyLifetimeMillis }
        let cutoff = now - retentionMillis
        var settled = entries.values.filter { $0.status != .pending }.sorted { ($0.settledAt ?? 0) < ($1.settledAt ?? 0) }
        var doomed = Set<String>()
        while let oldest = settled.first, (oldest.settledAt ?? 0) < cutoff || settled.count > maxRetained {
            doomed.insert(oldest.record.deliveryID)
            settled.removeFirst()
        }
        guard !doomed.isEmpty else { return pruneEvents(cutoff: cutoff, maxRetained: maxRetained) }
        for id in doomed {
            guard let entry = entries.removeValue(forKey: id) else { continue }
            byEventAndSubscription[entry.record.eventID + "|" + entry.record.subscriptionID] = nil
        }
        for (subscription, ids) in bySubscription {
            let kept = ids.filter { !doomed.contains($0) }
            bySubscription[subscription] = kept.isEmpty ? nil : kept
        }
        pruneEvents(cutoff: cutoff, maxRetained: maxRetained)
    }

    /// Keeps events a delivery refers to, and the newest `maxRetained` others younger than the
    /// retention (so replay can use them).
    private mutating func pruneEvents(cutoff: Int64, maxRetained: Int) {
        let referenced = Set(entries.values.map(\.record.eventID))
        let unreferenced = events.values.filter { !referenced.contains($0.eventID) }
        var doomed = Set(unreferenced.lazy.filter { $0.timestamp < cutoff }.map(\.eventID))
        let young = unreferenced.filter { $0.timestamp >= cutoff }
        if young.count > maxRetained {
            doomed.formUnion(young.sorted { $0.timestamp < $1.timestamp }.prefix(young.count - maxRetained).map(\.eventID))
        }
        for id in doomed { events[id] = nil }
    }

    /// Every record needed to rebuild this state, in an order that replays correctly.
    func snapshot() -> [JournalRecord] {
        var records = idempotencyKeys.values.sorted { $0.storedAt < $1.storedAt }.map(JournalRecord.idempotencyKey)
        records += events.values.sorted { $0.timestamp < $1.timestamp }.map(JournalRecord.event)
        for ids in bySubscription.values {
            for id in ids {
                guard let entry = entries[id] else { continue }
                var first = entry.record
                first.attempts = 0
                records.append(.enqueued(first))
                records += entry.attempts.filter { $0.attempt <= entry.attemptBase }.map(JournalRecord.attempted)
                if entry.attemptBase > 0 {
                    // A manual retry: re-queue after the attempts it followed, as it happened.
                    var requeued = entry.record
                    requeued.attempts = entry.attemptBase
                    records.append(.enqueued(requeued))
                }
                records += entry.attempts.filter { $0.attempt > entry.attemptBase }.map(JournalRecord.attempted)
                switch entry.status {
                case .pending: break
                case .delivered: records.append(.delivered(deliveryID: id, at: entry.settledAt ?? 0))
                case .dead: records.append(.dead(deliveryID: id, at: entry.settledAt ?? 0, reason: entry.lastError))
                }
            }
        }
        return records
    }

    /// Delivery ids of `subscription`, newest first.
    func deliveries(of subscription: String) -> [String] { (bySubscription[subscription] ?? []).reversed() }
}
