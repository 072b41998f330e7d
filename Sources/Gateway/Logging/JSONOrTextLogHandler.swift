public import Logging
import NIOCore
import SystemPackage

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Log output for operators: swift-log's text lines, or one JSON object per line (`log.format=json`)
/// with the level, label, message, timestamp and the dot-keyed metadata as top-level fields.
public enum JSONOrTextLogHandler {
    /// A handler writing to standard error in `format` (`text` or `json`).
    public static func stderr(label: String, format: String) -> any LogHandler {
        format == "json" ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
    }
}

/// Writes each record as one line of JSON to standard error.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var writer = JSONObjectWriter(capacity: 256)
        writer.field("timestamp", ISO8601.string(from: Date()))
        writer.field("level", event.level.rawValue)
        writer.field("label", label)
        writer.field("message", event.message.description)
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for key in merged.keys.sorted() where !["timestamp", "level", "label", "message"].contains(key) {
            writer.field(key, "\(merged[key]!)")
        }
        var line = writer.finish()
        line.writeString("\n")
        line.withUnsafeReadableBytes { bytes in
            _ = try? FileDescriptor.standardError.writeAll(bytes)
        }
    }
}
