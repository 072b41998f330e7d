#if canImport(Glibc)
import Glibc
#endif

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// CPU time (user + system) and resident set size of a process, from `/proc/<pid>/stat` and `status`.
public struct ProcessUsage: Sendable {
    /// User plus system CPU time so far.
    public var cpuSeconds: Double
    /// Resident set size now.
    public var residentBytes: Int

    /// This process.
    public static var current: ProcessUsage? { ProcessUsage(pid: getpid()) }

    public init?(pid: Int32) {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // After "pid (comm)": state is field 3, utime 14, stime 15 (man 5 proc).
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        cpuSeconds = (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
        let rss = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
        residentBytes = (rss?.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0) * 1024
    }
}
