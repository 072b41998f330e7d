import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One segment file as found on disk.
struct SegmentFile: Sendable, Equatable {
    var sequence: UInt64
    var size: Int
    var name: String { SegmentDirectory.name(for: sequence) }
}

/// The journal's folder: segment names, listing, reading, creating, truncating and deleting
/// segments, and fsync of the folder itself (which makes a create or delete durable).
///
/// Every call blocks on the file system, so the journal makes them from its I/O thread or from
/// `recover()` at start-up; all of them wrap failures in ``JournalError/storage(_:_:)``.
struct SegmentDirectory: Sendable {
    let path: String

    static let prefix = "segment-"
    static let suffix = ".log"

    /// `segment-0000000000000042.log`: zero-padded so that names sort like their sequence numbers.
    static func name(for sequence: UInt64) -> String {
        let digits = String(sequence)
        return prefix + String(repeating: "0", count: max(0, 16 - digits.count)) + digits + suffix
    }

    /// The sequence number in a segment's name (exactly 16 digits), `nil` for any other file.
    /// At most 9 999 999 999 999 999, so the next sequence never overflows.
    static func sequence(ofName name: String) -> UInt64? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
        let digits = name.dropFirst(prefix.count).dropLast(suffix.count)
        guard digits.count == 16, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return UInt64(digits)
    }

    func filePath(_ sequence: UInt64) -> FilePath { FilePath("\(path)/\(Self.name(for: sequence))") }

    /// Creates the folder and any missing parent, fsyncing each parent that gained an entry.
    static func create(_ path: String) throws(JournalError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            let parent = current.isEmpty ? "/" : current
            current += "/\(component)"
            if mkdir(current, 0o755) == 0 {
                try SegmentDirectory(path: parent).sync()
            } else if errno != EEXIST {
                throw .storage("mkdir \(current)", Errno(rawValue: errno))
            }
        }
    }

    /// Every segment in the folder, in sequence order, with its size; other files are ignored.
    func list() throws(JournalError) -> [SegmentFile] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw .storage("list \(path)", error)
        }
        var segments: [SegmentFile] = []
        for name in names {
            guard let sequence = Self.sequence(ofName: name) else { continue }
            segments.append(SegmentFile(sequence: sequence, size: try size(of: sequence)))
        }
        return segments.sorted { $0.sequence < $1.sequence }
    }

    /// The whole content of a segment (at most the size it had when opened).
    func read(_ sequence: UInt64) throws(JournalError) -> [UInt8] {
        try perform("read \(Self.name(for: sequence))") {
            let descriptor = try FileDescriptor.open(filePath(sequence), .readOnly)
            return try descriptor.closeAfter {
                let size = Int(try descriptor.seek(offset: 0, from: .end))
                return try [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                    count = 0
                    while count < size {
                        let read = try descriptor.read(
                            fromAbsoluteOffset: Int64(count), into: UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[count...]))
                        )
                        if read == 0 { break }
                        count += read
                    }
                }
            }
        }
    }

    /// Cuts a segment to `size` bytes and fsyncs it (a shorter file is new metadata the inode must keep).
    func truncate(_ sequence: UInt64, to size: Int) throws(JournalError) {
        try perform("truncate \(Self.name(for: sequence))") {
            let descriptor = try FileDescriptor.open(filePath(sequence), .writeOnly)
            try descriptor.closeAfter {
                try descriptor.resize(to: Int64(size))
                try Self.fsync(descriptor)
            }
        }
    }

    /// Creates an empty segment for appending; fails if it exists (a sequence is never reused).
    func createSegment(_ sequence: UInt64) throws(JournalError) -> FileDescriptor {
        try perform("create \(Self.name(for: sequence))") {
            try FileDescriptor.open(
                filePath(sequence), .writeOnly, options: [.create, .exclusiveCreate, .append],
                permissions: [.ownerReadWrite, .groupRead, .otherRead]
            )
        }
    }

    /// Deletes a segment (not durable until ``sync()``).
    func remove(_ sequence: UInt64) throws(JournalError) {
        guard unlink(filePath(sequence).string) == 0 || errno == ENOENT else {
            throw .storage("delete \(Self.name(for: sequence))", Errno(rawValue: errno))
        }
    }

    /// fsync on the folder: makes the creation or deletion of its entries durable.
    func sync() throws(JournalError) {
        try perform("fsync \(path)") {
            let descriptor = try FileDescriptor.open(FilePath(path), .readOnly, options: [.directory])
            try descriptor.closeAfter { try Self.fsync(descriptor) }
        }
    }

    /// fsync(2) on a descriptor, as a Swift error.
    static func fsync(_ descriptor: FileDescriptor) throws {
        #if canImport(Glibc)
        let result = Glibc.fsync(descriptor.rawValue)
        #else
        let result = Darwin.fsync(descriptor.rawValue)
        #endif
        guard result == 0 else { throw Errno(rawValue: errno) }
    }

    private func size(of sequence: UInt64) throws(JournalError) -> Int {
        try perform("stat \(Self.name(for: sequence))") {
            let descriptor = try FileDescriptor.open(filePath(sequence), .readOnly)
            return try descriptor.closeAfter { Int(try descriptor.seek(offset: 0, from: .end)) }
        }
    }

    /// Runs `body`, turning any error into ``JournalError/storage(_:_:)`` naming `operation`.
    private func perform<Value>(_ operation: String, _ body: () throws -> Value) throws(JournalError) -> Value {
        do {
            return try body()
        } catch let error as JournalError {
            throw error
        } catch {
            throw .storage(operation, error)
        }
    }
}
