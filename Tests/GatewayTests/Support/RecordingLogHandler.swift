import Logging
import Synchronization

/// Keeps every log record in memory so a test can assert what was (and was not) logged.
/// No test bootstraps `LoggingSystem`: the code under test is given a logger from ``logger`` or ``factory``.
final class LogRecorder: Sendable {
    /// One record.
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let entries = Mutex<[Entry]>([])

    /// Every record, in order.
    var records: [Entry] { entries.withLock { $0 } }

    /// Every record as one line: level, message and metadata.
    var all: [String] {
        records.map { entry in "\(entry.level) \(entry.message) " + entry.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
    }

    /// The records at `level`.
    func at(_ level: Logger.Level) -> [Entry] { records.filter { $0.level == level } }

    /// A logger whose every record lands here.
    var logger: Logger { Logger(label: "test", factory: factory) }

    /// A factory for `buildApplication(reader:logHandler:)`.
    var factory: @Sendable (String) -> any LogHandler { { _ in RecordingLogHandler(recorder: self) } }

    fileprivate func record(_ entry: Entry) { entries.withLock { $0.append(entry) } }
}

/// A `LogHandler` that writes into a ``LogRecorder``.
struct RecordingLogHandler: LogHandler {
    let recorder: LogRecorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        recorder.record(.init(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
    }
}
