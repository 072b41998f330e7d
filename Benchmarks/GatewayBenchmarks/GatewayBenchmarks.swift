import Benchmark

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The micro-benchmarks of the gateway's hot paths, run by `swift package benchmark` (`make bench-micro`).
///
/// The plugin's generated `@main` calls this closure, which registers every benchmark: signing,
/// envelope encoding, journal append with group commit, subscription matching. Each file holds one area.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = BenchmarkSettings.defaultConfiguration
    let registered = signingBenchmarks() + encodingBenchmarks() + journalBenchmarks() + matchingBenchmarks()
    if BenchmarkSettings.smoke {
        // scripts/bench-smoke.sh checks that each of these reported results: run standalone, the
        // package drops a benchmark's error silently.
        for benchmark in registered.compactMap({ $0 }) {
            print("bench-smoke: registered \(benchmark.name)")
        }
    }
}

/// Settings shared by every benchmark, and the smoke mode CI uses.
enum BenchmarkSettings {
    /// `GATEWAY_BENCH_SMOKE=1`: each benchmark runs once, without warm-up, on small fixtures, so CI
    /// proves they build and run (no timing is checked).
    static let smoke = ProcessInfo.processInfo.environment["GATEWAY_BENCH_SMOKE"].map { !$0.isEmpty && $0 != "0" } ?? false

    /// Wall clock, CPU, mallocs and throughput (operations per second, scaled by the inner loop).
    /// ARC counters are left out: on Swift 6.3 for Linux they need the runtime interposer this
    /// project does not build (see Package.swift).
    static let metrics: [BenchmarkMetric] = [.wallClock, .cpuTotal, .mallocCountTotal, .throughput]

    /// One second or 10 000 iterations per benchmark (the package's defaults), one iteration in smoke mode.
    static var defaultConfiguration: Benchmark.Configuration {
        .init(
            metrics: metrics, warmupIterations: smoke ? 0 : 1, maxDuration: smoke ? .milliseconds(1) : .seconds(1),
            maxIterations: smoke ? 1 : 10_000
        )
    }
}
