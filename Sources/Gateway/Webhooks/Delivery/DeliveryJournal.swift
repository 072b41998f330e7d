/// Where the delivery engine makes its state durable: the outbox journal, or an in-memory
/// stand-in in tests that only need ordering.
public protocol DeliveryJournal: Sendable {
    /// Returns once `records` are as durable as the journal's durability level promises.
    func append(_ records: [JournalRecord]) async throws
    /// Replaces everything written so far with `records` (the engine's snapshot of what must survive).
    func compact(keeping records: [JournalRecord]) async throws
    /// The bytes the journal occupies, for deciding when to compact.
    var totalBytes: Int { get }
}
