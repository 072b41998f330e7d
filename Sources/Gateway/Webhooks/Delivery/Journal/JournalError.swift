/// Every failure of the outbox journal: one extensible struct over a code, with context.
///
/// Damage found while recovering is not an error (recovery repairs or skips it and logs it); these
/// are the failures a caller has to act on.
public struct JournalError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, as a caller acts on it.
    public enum Kind: Sendable, Equatable {
        /// The journal has shut down (or is shutting down): the records were not accepted.
        case closed
        /// `run()` was called on a journal that is already running or has finished.
        case alreadyRunning
        /// A record field or payload does not fit the format's 32-bit lengths.
        case recordTooLarge
        /// A payload passed its checksum but does not parse.
        case undecodable
        /// The file system refused a read, write, fsync, create or delete.
        case storageFailure
    }

    public let kind: Kind
    public let message: String

    private init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public static var closed: Self { .init(.closed, "the outbox journal is shut down") }
    public static var alreadyRunning: Self { .init(.alreadyRunning, "the outbox journal's run() was already called") }
    public static func recordTooLarge(bytes: Int) -> Self { .init(.recordTooLarge, "\(bytes) bytes do not fit a journal frame (4 GiB at most)") }
    public static func undecodable(_ reason: String) -> Self { .init(.undecodable, reason) }
    /// - Parameters:
    ///   - operation: What was attempted, with the path (`"fsync segment-…log"`).
    ///   - error: The underlying error (usually an `Errno`).
    public static func storage(_ operation: String, _ error: any Error) -> Self { .init(.storageFailure, "\(operation): \(error)") }

    public var description: String { message }
}
