import Logging
import Synchronization

extension OutboxJournal {
    /// Reads every segment that existed when the journal was opened, in sequence order, and returns
    /// all their records in the order they were appended.
    ///
    /// Damage is repaired or skipped, never fatal and never deleted wholesale:
    /// - a torn or corrupt frame (cut header, length past the end, zero length, CRC mismatch) in the
    ///   **last** segment is what a crash mid-write leaves: the file is truncated to its last good
    ///   frame and fsynced, and a `warning` names the segment and byte offset;
    /// - the same in an **earlier** segment cannot come from a crash (later segments exist): reading
    ///   that segment stops there, an `error` is logged, and the next segment is read;
    /// - a frame that passes its CRC but does not decode (a newer gateway's record type) stops that
    ///   segment with an `error` and is kept as is, even at the tail.
    ///
    /// Appends never go to a segment read here: they start a new one, so a repaired tail is never
    /// written after. Blocking; call it once at start-up, before ``run()``.
    /// - Throws: ``JournalError`` `storageFailure` when a segment cannot be listed or read: starting
    ///   without pending deliveries would lose them silently.
    public func recover() throws -> [JournalRecord] {
        let clock = ContinuousClock()
        let started = clock.now
        let segments = try files.list().filter { $0.sequence < firstOwnSequence }
        var records: [JournalRecord] = []
        for (index, segment) in segments.enumerated() {
            let bytes = try files.read(segment.sequence)
            let decoded = JournalRecordCodec.decodeFrames(bytes)
            records.append(contentsOf: decoded.records)
            if let damage = decoded.damage {
                repair(segment, damage: damage, decoded: decoded, totalBytes: bytes.count, isLast: index == segments.count - 1)
            }
        }
        logger.info(
            "Outbox journal recovered",
            metadata: [
                "journal.records": "\(records.count)", "journal.segments": "\(segments.count)",
                "journal.duration": "\(started.duration(to: clock.now))",
            ]
        )
        return records
    }

    /// Truncates a torn tail of the last segment, or reports damage it must leave alone.
    private func repair(_ segment: SegmentFile, damage: FrameDamage, decoded: DecodedFrames, totalBytes: Int, isLast: Bool) {
        var metadata: Logger.Metadata = [
            "journal.segment": "\(segment.name)", "journal.offset": "\(damage.offset)", "journal.damage": "\(damage)",
            "journal.bytes.unread": "\(totalBytes - decoded.validBytes)", "journal.records.read": "\(decoded.records.count)",
        ]
        guard isLast, damage.isTornWrite else {
            logger.error("Outbox journal segment damaged; rest of it skipped", metadata: metadata)
            return
        }
        do {
            try files.truncate(segment.sequence, to: decoded.validBytes)
            state.withLock { state in
                state.segmentSizes[segment.sequence] = decoded.validBytes
                state.statistics.fsyncs += 1
            }
            logger.warning("Outbox journal torn tail truncated", metadata: metadata)
        } catch {
            metadata["error"] = "\(error)"
            logger.error("Outbox journal torn tail could not be truncated", metadata: metadata)
        }
    }
}
