import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash-safe file replacement in one directory: temp file, fsync, rename, fsync the directory.
///
/// A crash at any point leaves either the old file or the new one, never a torn one; a crash
/// before the rename leaves a `.name.tmp-…` file that the next load removes.
struct AtomicFile: Sendable {
    let directory: String
    /// Mode of the files written (0644 unless a secret lives in them).
    var permissions: FilePermissions = [.ownerReadWrite, .groupRead, .otherRead]
    /// Called after the temp file is durable and before the rename; tests inject a failure here.
    var beforeRename: @Sendable (_ name: String) throws -> Void = { _ in }

    /// Prefix of temp files, so that a load can tell them from real files.
    static let tempPrefix = "."

    /// Replaces `name` with `bytes`, durably.
    func write(_ bytes: [UInt8], to name: String) throws {
        let temp = "\(directory)/\(Self.tempPrefix)\(name).tmp-\(UInt32.random(in: 0...UInt32.max))"
        let descriptor = try FileDescriptor.open(
            FilePath(temp), .writeOnly, options: [.create, .exclusiveCreate], permissions: permissions
        )
        do {
            try descriptor.closeAfter {
                _ = try descriptor.writeAll(bytes)
                guard fsync(descriptor.rawValue) == 0 else { throw Errno(rawValue: errno) }
            }
            try beforeRename(name)
            guard rename(temp, "\(directory)/\(name)") == 0 else { throw Errno(rawValue: errno) }
        } catch {
            _ = unlink(temp)
            throw error
        }
        try syncDirectory()
    }

    /// Removes `name` durably; `false` if it did not exist.
    @discardableResult
    func remove(_ name: String) throws -> Bool {
        guard unlink("\(directory)/\(name)") == 0 else {
            if errno == ENOENT { return false }
            throw Errno(rawValue: errno)
        }
        try syncDirectory()
        return true
    }

    /// Moves `name` into `subdirectory` (created if needed) under a unique name, durably.
    func moveAside(_ name: String, into subdirectory: String, suffix: String) throws {
        let target = "\(directory)/\(subdirectory)"
        if mkdir(target, 0o755) != 0, errno != EEXIST { throw Errno(rawValue: errno) }
        guard rename("\(directory)/\(name)", "\(target)/\(name).\(suffix)") == 0 else { throw Errno(rawValue: errno) }
        try syncDirectory()
    }

    /// fsync on the directory makes a rename or unlink durable.
    private func syncDirectory() throws {
        let descriptor = try FileDescriptor.open(FilePath(directory), .readOnly, options: [.directory])
        try descriptor.closeAfter {
            guard fsync(descriptor.rawValue) == 0 else { throw Errno(rawValue: errno) }
        }
    }
}
