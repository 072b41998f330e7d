extension OutboxJournal {
    /// When an ``OutboxJournal/append(_:)`` returns, relative to the disk.
    public enum Durability: String, Sendable, Equatable, CaseIterable {
        /// After its bytes are written and fsynced: survives a power cut. Group commit shares one fsync
        /// among every append that arrived while the previous one ran.
        case always
        /// After write(2): survives a crash of the process, not of the machine; the flusher fsyncs
        /// at most once per ``Configuration/batchInterval`` while there are unsynced bytes (and
        /// also when it rolls over to a new segment, and at shutdown).
        case batch
        /// After the bytes are in the journal's buffer; no fsync at all (benchmarks, throwaway
        /// deployments). Compaction still fsyncs, because it deletes what it replaces.
        case off
    }

    /// How the journal writes; one value per journal, read once at ``OutboxJournal/init(directory:configuration:logger:)``.
    ///
    /// - `durability` (``Durability``, default `always`)
    /// - `batchInterval` (Duration, default 50 ms): the fsync period of `batch` durability.
    /// - `segmentMaxBytes` (Int, default 64 MiB): once the active segment has reached this size the
    ///   next write starts a new one, so a segment exceeds it by at most one group-commit batch.
    /// - `maxBufferedBytes` (Int, default 8 MiB): the bound of the group-commit buffer, counting the
    ///   batch being written. **Overflow policy: backpressure.** An append that does not fit waits,
    ///   in arrival order, until the flusher has written enough; none is dropped or failed. A single
    ///   append larger than the bound is admitted alone once the buffer is empty. Compaction
    ///   snapshots are outside the bound (they are written by themselves).
    public struct Configuration: Sendable, Equatable {
        public var durability: Durability
        public var batchInterval: Duration
        public var segmentMaxBytes: Int
        public var maxBufferedBytes: Int

        /// - Parameters: see the type's key list; non-positive sizes and intervals are raised to the smallest valid value.
        public init(
            durability: Durability = .always, batchInterval: Duration = .milliseconds(50), segmentMaxBytes: Int = 64 << 20,
            maxBufferedBytes: Int = 8 << 20
        ) {
            self.durability = durability
            self.batchInterval = max(batchInterval, .milliseconds(1))
            self.segmentMaxBytes = max(segmentMaxBytes, 1)
            self.maxBufferedBytes = max(maxBufferedBytes, 1)
        }
    }

    /// Counters since the journal was opened, for `/metrics` and for tests that check group commit.
    public struct Statistics: Sendable, Equatable {
        /// Records written to a segment (appends that failed are not counted).
        public var appendedRecords = 0
        /// write(2) calls for appended batches: with group commit, far fewer than appends.
        public var writes = 0
        /// Every fsync(2) the journal made: segment data, the folder after a create or delete, recovery truncation.
        public var fsyncs = 0
        /// Bytes written to segments, snapshots included.
        public var bytesWritten = 0
        /// Segment files on disk now.
        public var segments = 0
        /// How long the latest fsync of a segment took.
        public var lastFsyncDuration: Duration = .zero

        public init() {}
    }
}
