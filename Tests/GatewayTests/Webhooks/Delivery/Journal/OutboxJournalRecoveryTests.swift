import Logging
import Testing
@testable import Gateway

/// Recovery from what a crash or a bad disk leaves: torn tails are cut, other damage is skipped and reported.
@Suite(.timeLimit(.minutes(1))) struct OutboxJournalRecoveryTests {
    @Test func aTornTailIsTruncatedLoggedAndAppendingStillWorks() async throws {
        let directory = JournalTestDirectory()
        defer { directory.remove() }
        let (segment, lastFrame) = try await writeOneSegment(JournalSamples.events(0..<5), in: directory)
        try directory.write(try directory.bytes(of: segment).dropLast(3), to: segment)

        try await expectRepairedTail(of: segment, at: lastFrame, in: directory)
    }

    @Test func aCorruptChecksumInTheLastRecordIsTruncated() async throws {
        let directory = JournalTestDirectory()
        defer { directory.remove() }
        let (segment, lastFrame) = try await writeOneSegment(JournalSamples.events(0..<5), in: directory)
        var bytes = try directory.bytes(of: segment)
        bytes[lastFrame + 4] ^= 0xFF
        try directory.write(bytes, to: segment)

        try await expectRepairedTail(of: segment, at: lastFrame, in: directory)
    }

    @Test func aZeroFilledTailIsTruncated() async throws {
        let directory = JournalTestDirectory()
        defer { directory.remove() }
        let (segment, _) = try await writeOneSegment(JournalSamples.events(0..<5), in: directory)
        let good = try directory.bytes(of: segment)
        try directory.write(good + [UInt8](repeating: 0, count: 4096), to: segment)
        let logs = JournalLogCapture()

        #expect(try recoverJournal(at: directory, logs: logs) == JournalSamples.events(0..<5))
        #expect(try directory.size(of: segment) == good.count)
        #expect(logs.at(.warning).count == 1)
    }

    @Test func damageInAnEarlierSegmentSkipsOnlyTheRestOfThatSegment() async throws {
        let directory = JournalTestDirectory()
        defer { directory.remove() }
        let journal = try OutboxJournal(directory: directory.path, configuration: .init(segmentMaxBytes: 200), logger: JournalLogCapture().logger)
        let records = JournalSamples.events(0..<9)
        try await withRunningJournal(journal) {
            for record in records { try await journal.append([record]) }
        }
        let names = directory.segmentNames
        try #require(names.count == 3, "three records (75 bytes each) per segment")
        var middle = try directory.bytes(of: names[1])
        middle[4] ^= 0xFF  // the first record's CRC
        try directory.write(middle, to: names[1])
        let logs = JournalLogCapture()

        #expect(try recoverJournal(at: directory, logs: logs) == Array(records[0..<3] + records[6..<9]))
        #expect(try directory.bytes(of: names[1]) == middle, "never truncated or deleted")
        let error = try #require(logs.at(.error).first)
        #expect(error.metadata["journal.segment"] == names[1])
        #expect(error.metadata["journal.offset"] == "0")
        #expect(logs.at(.warning).isEmpty)
    }

    @Test func anUndecodableRecordAtTheTailIsKeptAndReported() async throws {
        let directory = JournalTestDirectory()
        defer { directory.remove() }
        let (segment, _) = try await writeOneSegment(JournalSamples.events(0..<2), in: directory)
        let payload: [UInt8] = [200, 0, 0]  // a record type from the future, with a valid checksum
        var frame: [UInt8] = []
        for value in [UInt32(payload.count), CRC32.checksum(payload)] {
            withUnsafeBytes(of: value.littleEndian) { frame.append(contentsOf: $0) }
        }
        let written = try directory.bytes(of: segment) + frame + payload
        try directory.write(written, to: segment)
        let logs = JournalLogCapture()

        #expect(try recoverJournal(at: directory, logs: logs) == JournalSamples.events(0..<2))
        #expect(try directory.bytes(of: segment) == written)
        #expect(logs.at(.error).count == 1)
    }

    /// Appends `records` one by one into a fresh journal (one segment); returns its name and the last frame's offset.
    private func writeOneSegment(_ records: [JournalRecord], in directory: JournalTestDirectory) async throws -> (String, Int) {
        let journal = try OutboxJournal(directory: directory.path, configuration: .init(), logger: JournalLogCapture().logger)
        try await withRunningJournal(journal) {
            for record in records { try await journal.append([record]) }
        }
        let segment = try #require(directory.segmentNames.first)
        let lastFrame = try JournalRecordCodec.encode(Array(records.dropLast())).count
        return (segment, lastFrame)
    }

    /// Recovery returns the four good records, cuts the file at `offset` with a warning naming it,
    /// and a journal opened afterwards appends and recovers normally.
    private func expectRepairedTail(of segment: String, at offset: Int, in directory: JournalTestDirectory) async throws {
        let logs = JournalLogCapture()
        let journal = try OutboxJournal(directory: directory.path, configuration: .init(), logger: logs.logger)
        #expect(try journal.recover() == JournalSamples.events(0..<4))
        #expect(try directory.size(of: segment) == offset)
        let warning = try #require(logs.at(.warning).first)
        #expect(warning.metadata["journal.segment"] == segment)
        #expect(warning.metadata["journal.offset"] == "\(offset)")

        try await withRunningJournal(journal) { try await journal.append([JournalSamples.event(10)]) }
        let later = JournalLogCapture()
        #expect(try recoverJournal(at: directory, logs: later) == JournalSamples.events(0..<4) + [JournalSamples.event(10)])
        #expect(later.at(.warning).isEmpty && later.at(.error).isEmpty)
    }
}
