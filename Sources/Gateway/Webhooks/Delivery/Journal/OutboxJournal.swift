public import Logging
public import ServiceLifecycle
import Synchronization

/// The durable, append-only log of the webhook delivery queue, and the only code that touches its files.
///
/// Records go to segment files `<directory>/segment-<16-digit sequence>.log` (format:
/// ``JournalRecordCodec``). The journal stores and returns ``JournalRecord``s in order; the delivery
/// engine gives them meaning.
///
/// Lifecycle: `init` opens (creating) the folder; ``recover()`` reads what a previous run left;
/// ``run()`` is the flusher, a `Service` that ends on graceful shutdown; ``append(_:)`` and
/// ``compact(keeping:)`` may be called from any task, before or while it runs.
///
/// **Group commit.** An append encodes its records on the caller's task, adds the bytes to a shared
/// buffer under a `Mutex` and suspends on a continuation. The flusher takes everything buffered,
/// writes it with one write(2) and (for `always`) one fsync, then resumes every append in the batch:
/// N concurrent appends cost about one fsync. While a batch is on disk the next one fills up.
///
/// Concurrency choices:
/// - `Mutex`, not an actor: appending is a short synchronous step from many tasks, and the
///   flusher must take the whole buffer atomically; an actor would add a hop per append.
/// - Blocking I/O runs on a one-thread `NIOThreadPool` owned by ``run()``, never on Swift's
///   cooperative pool, where an fsync (milliseconds, sometimes far more) would stall one of its few
///   threads and every task queued on it. One thread, because the file work is strictly sequential
///   anyway (one active segment, writes in order), so a single thread keeps that order for free.
/// - The flusher is structured: ``run()`` owns it and the `batch` fsync tick as child tasks; no
///   unstructured `Task`.
public final class OutboxJournal: Service, Sendable {
    let files: SegmentDirectory
    let configuration: Configuration
    let logger: Logger
    let metrics: JournalMetrics
    /// Segments numbered below this existed when the journal was opened: ``recover()`` reads them,
    /// and appends never go to them.
    let firstOwnSequence: UInt64
    let state: Mutex<State>

    /// Opens the journal in `directory`, creating it (and missing parents) if needed.
    ///
    /// Lists the existing segments (cheap: names and sizes) but reads none: call ``recover()`` for that.
    /// - Parameters:
    ///   - directory: The journal's own folder, e.g. `<data-dir>/journal`; nothing else may write there.
    ///   - configuration: Durability, segment size, buffer bound.
    ///   - logger: Lifecycle at `info`, damage found by recovery at `warning`/`error`, I/O failures at `error`.
    ///   - metrics: Where fsync latency is recorded (`nil`: nowhere).
    /// - Throws: ``JournalError`` when the folder cannot be created or listed.
    public init(directory: String, configuration: Configuration, logger: Logger, metrics: GatewayMetrics? = nil) throws {
        let files = SegmentDirectory(path: directory)
        try SegmentDirectory.create(directory)
        let existing = try files.list()
        self.files = files
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics?.journal ?? .disabled
        self.firstOwnSequence = (existing.last?.sequence ?? 0) + 1
        var state = State(
            maxBufferedBytes: configuration.maxBufferedBytes,
            acknowledgesWhenBuffered: configuration.durability == .off,
            segmentSizes: Dictionary(existing.map { ($0.sequence, $0.size) }, uniquingKeysWith: { $1 })
        )
        state.statistics.segments = existing.count
        self.state = Mutex(state)
    }

    /// Appends `records`, in order, returning when they are as durable as the configured ``Durability`` promises.
    ///
    /// Concurrent appends are group-committed; records of one call are never interleaved with another's.
    /// Waits (backpressure) while the buffer is full, and before ``run()`` has started. Not cancellable:
    /// once buffered the bytes will be written, so the caller waits for the truth.
    ///
    /// `nonisolated(nonsending)`: called from an actor, the records are encoded and queued on that
    /// actor before its first suspension, so one actor's appends (and compactions) are queued in the
    /// order it made them, with no hop in between for another task to slip through.
    /// - Throws: ``JournalError`` `closed` after shutdown began; `storageFailure` if the write or fsync
    ///   failed (the records may or may not be on disk; the next append goes to a new segment).
    public nonisolated(nonsending) func append(_ records: [JournalRecord]) async throws {
        guard !records.isEmpty else { return }
        let bytes = try JournalRecordCodec.encode(records)
        try await withCheckedThrowingContinuation { (completion: Completion) in
            state.withLock { $0.offer(bytes, records: records.count, completion: completion) }.resume()
        }
    }

    /// Replaces the whole journal by `records`, the engine's snapshot of everything that must survive.
    ///
    /// Runs in the flusher: the active segment is fsynced (everything written before is durable), the
    /// snapshot goes into a new segment, fsynced with the folder, and only then are the older segments
    /// deleted (see `SegmentWriter.compact`).
    ///
    /// Contract: `records` must reflect every append that **returned** before this call; those are
    /// not written after the snapshot. Appends that had not returned yet (buffered, blocked, or being
    /// written) land **after** it, so a racing append is never lost with an old segment; one that was
    /// being written is written again after the snapshot. Records after the snapshot may therefore
    /// repeat, or be older than the snapshot's state: the engine applies them idempotently.
    /// Take the snapshot and call this on the same actor without an `await` in between: the
    /// compaction is then queued at the snapshot's instant (see ``append(_:)`` on `nonsending`).
    /// - Throws: ``JournalError`` `closed` after shutdown began; `storageFailure` if a step failed
    ///   (the old segments are then still there, possibly followed by the snapshot).
    public nonisolated(nonsending) func compact(keeping records: [JournalRecord]) async throws {
        let snapshot = try JournalRecordCodec.encode(records)
        try await withCheckedThrowingContinuation { (completion: Completion) in
            state.withLock { $0.offerCompaction(snapshot, records: records.count, completion: completion) }.resume()
        }
    }

    /// Counters since the journal was opened.
    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// Bytes in all segment files, as written (the engine compacts when this grows too large).
    public var totalBytes: Int { state.withLock { $0.segmentSizes.values.reduce(0, +) } }

    /// Whether the journal runs and takes appends (recovered, started, not draining).
    public var isRunning: Bool { state.withLock { $0.phase == .running } }

    /// The directory this journal owns.
    public var directory: String { files.path }

    /// Stops accepting records and lets the flusher drain; called on graceful shutdown and on cancellation.
    func beginShutdown() {
        state.withLock { $0.beginShutdown() }?.resume()
    }
}
