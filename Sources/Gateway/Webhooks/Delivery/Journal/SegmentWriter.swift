import Metrics
import SystemPackage

/// What one step of journal I/O did, for the statistics and the size bookkeeping.
struct JournalIOReport: Sendable {
    var error: JournalError?
    var bytesWritten = 0
    var fsyncs = 0
    var lastFsyncDuration: Duration?
    /// New sizes of segments that were created or grew.
    var sizes: [UInt64: Int] = [:]
    /// Segments deleted (by compaction, or a failed snapshot removed again).
    var removed: [UInt64] = []
}

/// The append side of the segment files: the active segment's descriptor, roll-over, fsync and
/// the file work of compaction.
///
/// A value type confined to one task at a time: the flusher hands it to the I/O thread and gets
/// the updated copy back, so no lock guards it and nothing else can reach the descriptor.
struct SegmentWriter: Sendable {
    /// The segment being appended to.
    private struct Active: Sendable {
        var sequence: UInt64
        var descriptor: FileDescriptor
        var size: Int
        /// Written since its last fsync.
        var isDirty = false
    }

    let directory: SegmentDirectory
    /// Roll over to a new segment once the active one has reached this size.
    let maxBytes: Int
    /// `false` for durability `off`: no fsync for appends, roll-over or segment creation.
    let syncs: Bool
    /// Records how long each fsync took (`/metrics`).
    let fsyncDuration: Timer
    /// The sequence number the next created segment takes (never reused, even after a failure).
    private(set) var nextSequence: UInt64
    private var active: Active?

    init(directory: SegmentDirectory, maxBytes: Int, syncs: Bool, nextSequence: UInt64, fsyncDuration: Timer = JournalMetrics.disabled.fsyncDuration) {
        self.directory = directory
        self.maxBytes = maxBytes
        self.syncs = syncs
        self.fsyncDuration = fsyncDuration
        self.nextSequence = nextSequence
    }

    /// Whether bytes were written since the last fsync.
    var isDirty: Bool { active?.isDirty ?? false }

    /// Writes `bytes` with one write(2) to the active segment (rolling over first if it is full),
    /// then fsyncs it when `sync` is set.
    ///
    /// On failure the segment is cut back to its size before this write and abandoned, so that a
    /// half-written frame never sits before later good ones; the next append opens a new segment.
    mutating func append(_ bytes: [UInt8], sync: Bool, report: inout JournalIOReport) {
        do throws(JournalError) {
            if let current = active, current.size >= maxBytes {
                try retire(sync: syncs, report: &report)
            }
            var segment: Active
            if let current = active { segment = current } else { segment = try openSegment(report: &report) }
            let before = segment.size
            do {
                _ = try segment.descriptor.writeAll(bytes)
                segment.size += bytes.count
                segment.isDirty = true
                report.bytesWritten += bytes.count
                if sync {
                    try timedSync(segment.descriptor, report: &report)
                    segment.isDirty = false
                }
                active = segment
                report.sizes[segment.sequence] = segment.size
            } catch {
                abandon(segment, cuttingTo: before, report: &report)
                throw .storage("append to \(SegmentDirectory.name(for: segment.sequence))", error)
            }
        } catch {
            report.error = error
        }
    }

    /// fsyncs the active segment if it has unsynced bytes (the `batch` tick, and shutdown).
    mutating func syncIfDirty(report: inout JournalIOReport) {
        guard var segment = active, segment.isDirty else { return }
        do {
            try timedSync(segment.descriptor, report: &report)
            segment.isDirty = false
            active = segment
        } catch {
            abandon(segment, cuttingTo: nil, report: &report)
            report.error = .storage("fsync \(SegmentDirectory.name(for: segment.sequence))", error)
        }
    }

    /// Closes the active segment, fsyncing it first when `sync` is set and it is dirty.
    mutating func close(sync: Bool, report: inout JournalIOReport) {
        do throws(JournalError) {
            try retire(sync: sync, report: &report)
        } catch {
            report.error = error
        }
    }

    /// Compaction's file work, in the only order that is safe against a crash at any step:
    /// 1. fsync the active segment (every earlier append durable) and close it, even in `off` mode;
    /// 2. write `snapshot` into a new segment, fsync it, fsync the folder;
    /// 3. delete every older segment in ascending order, fsync the folder.
    ///
    /// A crash before 3 ends leaves old segments before the snapshot. Deleting oldest first means any
    /// survivors are a suffix of the history, never a prefix: a `delivered` is never lost while the
    /// `enqueued` it closes survives. The snapshot segment then takes later appends.
    mutating func compact(snapshot: [UInt8], report: inout JournalIOReport) {
        do throws(JournalError) {
            try retire(sync: true, report: &report)
            let sequence = nextSequence
            nextSequence += 1
            let descriptor = try directory.createSegment(sequence)
            do {
                _ = try descriptor.writeAll(snapshot)
                try timedSync(descriptor, report: &report)
                try directory.sync()
                report.fsyncs += 1
            } catch {
                try? descriptor.close()
                try? directory.remove(sequence)
                try? directory.sync()
                throw error as? JournalError ?? .storage("write snapshot \(SegmentDirectory.name(for: sequence))", error)
            }
            active = Active(sequence: sequence, descriptor: descriptor, size: snapshot.count)
            report.sizes[sequence] = snapshot.count
            report.bytesWritten += snapshot.count
            for old in try directory.list() where old.sequence < sequence {
                try directory.remove(old.sequence)
                report.removed.append(old.sequence)
            }
            try directory.sync()
            report.fsyncs += 1
        } catch {
            report.error = error
        }
    }

    /// Creates the next segment (and fsyncs the folder so that its name survives a crash).
    private mutating func openSegment(report: inout JournalIOReport) throws(JournalError) -> Active {
        let sequence = nextSequence
        nextSequence += 1
        let descriptor = try directory.createSegment(sequence)
        if syncs {
            do throws(JournalError) {
                try directory.sync()
            } catch {
                try? descriptor.close()
                throw error
            }
            report.fsyncs += 1
        }
        report.sizes[sequence] = 0
        return Active(sequence: sequence, descriptor: descriptor, size: 0)
    }

    /// Closes the active segment, fsyncing it first if asked and dirty; it stays on disk.
    private mutating func retire(sync: Bool, report: inout JournalIOReport) throws(JournalError) {
        guard let segment = active else { return }
        active = nil
        do {
            if sync, segment.isDirty { try timedSync(segment.descriptor, report: &report) }
            try segment.descriptor.close()
        } catch {
            try? segment.descriptor.close()
            throw .storage("close \(SegmentDirectory.name(for: segment.sequence))", error)
        }
    }

    /// After a failed write or fsync: cut the segment back to `size` (dropping the frame that may be
    /// half on disk), close it and stop using it. Best effort: the caller already reports the failure.
    private mutating func abandon(_ segment: Active, cuttingTo size: Int?, report: inout JournalIOReport) {
        active = nil
        if let size, (try? segment.descriptor.resize(to: Int64(size))) != nil {
            report.sizes[segment.sequence] = size
        }
        try? segment.descriptor.close()
    }

    /// fsync with its duration recorded.
    private func timedSync(_ descriptor: FileDescriptor, report: inout JournalIOReport) throws {
        let clock = ContinuousClock()
        let start = clock.now
        try SegmentDirectory.fsync(descriptor)
        report.fsyncs += 1
        let duration = start.duration(to: clock.now)
        report.lastFsyncDuration = duration
        fsyncDuration.record(duration: duration)
    }
}
