/// Percentiles of a set of measured durations, for the benchmark reports.
public struct LatencySummary: Sendable, CustomStringConvertible {
    public let count: Int
    public let p50: Duration
    public let p90: Duration
    public let p99: Duration
    public let max: Duration

    /// Summarises `samples` (at least one).
    public init(_ samples: [Duration]) {
        let sorted = samples.sorted()
        func at(_ fraction: Double) -> Duration {
            sorted.isEmpty ? .zero : sorted[Swift.min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.down)))]
        }
        count = sorted.count
        p50 = at(0.50)
        p90 = at(0.90)
        p99 = at(0.99)
        max = sorted.last ?? .zero
    }

    public var description: String {
        "n=\(count) p50=\(Self.format(p50)) p90=\(Self.format(p90)) p99=\(Self.format(p99)) max=\(Self.format(max))"
    }

    /// `1.234ms` / `56.7µs` style.
    public static func format(_ duration: Duration) -> String {
        let micros = Double(duration.components.seconds) * 1e6 + Double(duration.components.attoseconds) / 1e12
        if micros >= 1000 { return "\((micros / 10).rounded() / 100)ms" }
        return "\((micros * 10).rounded() / 10)µs"
    }
}
