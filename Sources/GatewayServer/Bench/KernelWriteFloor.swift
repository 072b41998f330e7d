import CDispatch
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The raw limit of fan-out on this machine: what the kernel alone costs to send one frame to one
/// client, measured the way the hub sends (one `write(2)` per frame per client, `TCP_NODELAY`, over
/// loopback TCP) by a plain thread with no server, no NIO and no WebSocket framing.
///
/// With `framesPerWrite` above 1 it writes that many frames back to back in each `write(2)`, at that
/// many times fewer writes per second: what a hub with a write delay does at best.
///
/// The figure is the writing thread's own CPU time (`CLOCK_THREAD_CPUTIME_ID`) per frame. On loopback
/// the receiving side's TCP processing runs in the sender's context, as it does for the hub's writes,
/// so the two figures compare like for like; reading the frames is left to another thread and not
/// counted (the hub does not pay for its clients' reads either).
struct KernelWriteFloor {
    var connections: Int
    var messages: Int
    /// Messages per second (0: back to back).
    var rate: Int
    var frameBytes: Int
    /// Frames written together by each `write(2)` (as many as the server managed per write).
    var framesPerWrite = 1

    /// CPU microseconds per frame (per `write(2)` when `framesPerWrite` is 1).
    func measure() async throws -> Double {
        let (writers, readers) = try Self.connectedPairs(connections)
        defer { for fd in writers + readers { close(fd) } }
        let total = connections * messages * frameBytes
        async let drained: Void = Thread.runDetached { Self.drain(readers, expecting: total) }
        let cpu = await Thread.runDetached { [self] in send(to: writers) }
        await drained
        switch cpu {
        case .success(let seconds): return seconds / Double(connections * messages) * 1e6  // per frame
        case .failure(let error): throw error
        }
    }

    /// Writes every message to every socket, paced; returns the thread's CPU seconds, or why a write failed.
    private func send(to sockets: [Int32]) -> Result<Double, BenchError> {
        let frames = [UInt8](repeating: UInt8(ascii: "x"), count: frameBytes * framesPerWrite)
        let start = ContinuousClock.now
        let cpuBefore = Self.threadCPUSeconds()
        for first in stride(from: 0, to: messages, by: framesPerWrite) {
            let length = frameBytes * min(framesPerWrite, messages - first)
            if rate > 0 {
                let due = start + .seconds(1) / rate * (first + framesPerWrite - 1)
                let wait = ContinuousClock.now.duration(to: due)
                if wait > .zero { Thread.sleep(forTimeInterval: Double(wait.components.attoseconds) / 1e18 + Double(wait.components.seconds)) }
            }
            for fd in sockets {
                var written = 0
                while written < length {
                    let result = frames.withUnsafeBytes { write(fd, $0.baseAddress! + written, length - written) }
                    if result < 0, errno == EINTR { continue }
                    if result <= 0 { return .failure(BenchError("a loopback write failed: \(String(cString: strerror(errno)))")) }
                    written += result
                }
            }
        }
        return .success(Self.threadCPUSeconds() - cpuBefore)
    }

    /// Reads from every socket until `expecting` bytes arrived in all (or a socket ends).
    private static func drain(_ sockets: [Int32], expecting: Int) {
        var received = 0
        var polled = sockets.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while received < expecting {
            guard poll(&polled, nfds_t(polled.count), 5_000) > 0 else { return }
            for index in polled.indices where polled[index].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(polled[index].fd, $0.baseAddress, $0.count) }
                if count <= 0 { return }
                received += count
            }
        }
    }

    /// `count` connected loopback TCP pairs: the writing ends (with `TCP_NODELAY`) and the accepted ends.
    private static func connectedPairs(_ count: Int) throws -> (writers: [Int32], readers: [Int32]) {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw BenchError("socket: \(String(cString: strerror(errno)))") }
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && listen(listener, 4096) == 0 && getsockname(listener, $0, &length) == 0 }
        }
        guard bound else { throw BenchError("bind 127.0.0.1: \(String(cString: strerror(errno)))") }
        var writers: [Int32] = []
        var readers: [Int32] = []
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let connected = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            let accepted = connected ? accept(listener, nil, nil) : -1
            guard accepted >= 0 else {
                for fd in writers + readers + [fd] { close(fd) }
                throw BenchError("loopback connect: \(String(cString: strerror(errno)))")
            }
            writers.append(fd)
            readers.append(accepted)
        }
        return (writers, readers)
    }

    private static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

extension Thread {
    /// Runs `body` on a new thread (it blocks: never on a cooperative thread) and returns its result.
    static func runDetached<Value: Sendable>(_ body: @escaping @Sendable () -> Value) async -> Value {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: body()) }
        }
    }
}
