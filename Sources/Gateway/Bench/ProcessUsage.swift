#if canImport(Glibc)
import Glibc
#endif

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// CPU time (user + system), resident set size and write system calls of a process, from
/// `/proc/<pid>/stat`, `status` and `io`.
public struct ProcessUsage: Sendable {
    /// User plus system CPU time so far.
    public var cpuSeconds: Double
    /// Resident set size now.
    public var residentBytes: Int
    /// Write-family system calls so far (`write`, `writev`, … on any descriptor: sockets, files, and the
    /// eventfd that wakes an event loop), `syscw` of `/proc/<pid>/io`; `nil` where that file is unreadable.
    public var writeCalls: Int?

    /// This process.
    public static var current: ProcessUsage? { ProcessUsage(pid: getpid()) }

    public init?(pid: Int32) {
        guard let stat = Self.stat("/proc/\(pid)/stat"), let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else {
            return nil
        }
        cpuSeconds = stat.cpuSeconds
        let rss = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
        residentBytes = (rss?.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0) * 1024
        let io = try? String(contentsOfFile: "/proc/\(pid)/io", encoding: .utf8)
        writeCalls = io?.split(separator: "\n").first { $0.hasPrefix("syscw:") }.flatMap { $0.split(separator: " ").last.flatMap { Int($0) } }
    }

    /// The name and CPU time (user + system) in a process's or thread's `stat` file.
    static func stat(_ path: String) -> (name: Substring, cpuSeconds: Double)? {
        guard let stat = try? String(contentsOfFile: path, encoding: .utf8), let open = stat.firstIndex(of: "("),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // After "pid (comm)": state is field 3, utime 14, stime 15 (man 5 proc).
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (stat[stat.index(after: open)..<close], (user + system) / Double(sysconf(Int32(_SC_CLK_TCK))))
    }
}

/// CPU time (user + system) of this process's threads, summed by role, from `/proc/self/task/*/stat`:
/// shows which thread a benchmark phase's CPU went to.
///
/// Roles by thread name: `NIO-*` event loops, `gateway.curl`, `SGLTN-TP-*` (NIO's singleton thread
/// pool: where `bench deliveries` runs the C client), other `TP-*` pools (the journal's file I/O). The
/// rest is ``Role/tasks``: the Swift concurrency pool and the main thread, computed as the process's
/// total minus the named roles, so that worker threads that exit in between are still counted.
public struct ThreadUsage: Sendable {
    /// What a thread is for, by its name.
    public enum Role: String, Sendable, CaseIterable {
        case eventLoops = "NIO event loops"
        case curl = "curl thread"
        case singletonPool = "NIO singleton pool"
        case filePool = "file I/O pool"
        case tasks = "Swift tasks"

        init(threadName name: Substring) {
            if name.hasPrefix("NIO-") {
                self = .eventLoops
            } else if name == "gateway.curl" {
                self = .curl
            } else if name.hasPrefix("SGLTN-TP-") {
                self = .singletonPool
            } else if name.hasPrefix("TP-") {
                self = .filePool
            } else {
                self = .tasks
            }
        }
    }

    /// CPU seconds by role.
    public var seconds: [Role: Double]

    /// The whole process's CPU seconds (the roles add up to it).
    public var total: Double { seconds.values.reduce(0, +) }

    /// This process, now.
    public static var current: ThreadUsage {
        var seconds: [Role: Double] = [:]
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        for task in tasks {
            guard let stat = ProcessUsage.stat("/proc/self/task/\(task)/stat") else { continue }
            let role = Role(threadName: stat.name)
            if role != .tasks { seconds[role, default: 0] += stat.cpuSeconds }
        }
        let named = seconds.values.reduce(0, +)
        seconds[.tasks] = max(0, (ProcessUsage.stat("/proc/self/stat")?.cpuSeconds ?? named) - named)
        return ThreadUsage(seconds: seconds)
    }

    /// CPU seconds by role since `earlier`.
    public func since(_ earlier: ThreadUsage) -> ThreadUsage {
        var result: [Role: Double] = [:]
        for role in Role.allCases { result[role] = max(0, (seconds[role] ?? 0) - (earlier.seconds[role] ?? 0)) }
        return ThreadUsage(seconds: result)
    }

    /// The sum of two spans of usage (of two slices of a benchmark phase).
    public static func + (lhs: ThreadUsage, rhs: ThreadUsage) -> ThreadUsage {
        ThreadUsage(seconds: lhs.seconds.merging(rhs.seconds, uniquingKeysWith: +))
    }

    /// CPU µs per unit of work by role, for a span of usage (from ``since(_:)``) that did `units` units.
    public func microseconds(per units: Int) -> [Role: Double] {
        seconds.mapValues { $0 / Double(max(units, 1)) * 1e6 }
    }
}
