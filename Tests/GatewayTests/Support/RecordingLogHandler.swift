import Logging
import Synchronization

/// Keeps every log line in memory so a test can assert what was (and was not) logged.
/// No test bootstraps `LoggingSystem`: the app is built with this handler's factory.
final class LogRecorder: Sendable {
    private let lines = Mutex<[String]>([])

    /// Every recorded line: level, message and metadata.
    var all: [String] { lines.withLock { $0 } }

    /// A factory for `buildApplication(reader:logHandler:)`.
    var factory: @Sendable (String) -> any LogHandler { { _ in RecordingLogHandler(recorder: self) } }

    fileprivate func record(_ line: String) { lines.withLock { $0.append(line) } }
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
        recorder.record("\(event.level) \(event.message) \(merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
    }
}
