/// Where the delivery engine makes its state durable: the outbox journal, or an in-memory
/// stand-in in tests that only need ordering.
///
/// Both operations are `nonisolated(nonsending)`: called from the engine's actor, they start on
/// that actor, so a conformer can queue the records (or the snapshot) before the first suspension,
/// in the order the engine made its calls. A plain `async` requirement would hop to the global
/// executor first, even when the conformer's own method is `nonisolated(nonsending)`: the engine
/// could then append (and even settle) a delivery between taking a compaction snapshot and the
/// journal queueing it, and that append, landing before the snapshot, would be deleted with its
/// segment (a `delivered` lost resends the delivery after a restart; an `enqueued` lost loses it).
public protocol DeliveryJournal: Sendable {
    /// Returns once `records` are as durable as the journal's durability level promises.
    nonisolated(nonsending) func append(_ records: [JournalRecord]) async throws
    /// Replaces everything written so far with `records` (the engine's snapshot of what must survive).
    ///
    /// Must cover every append that returned before the call; appends that had not returned land after it.
    nonisolated(nonsending) func compact(keeping records: [JournalRecord]) async throws
    /// The bytes the journal occupies, for deciding when to compact.
    var totalBytes: Int { get }
}
