/// Per-origin admission for the curl loop: at most `limit` transfers per `scheme://host:port` are
/// in libcurl at once; the rest park here, first in first out, until one of that origin's ends.
///
/// Why in Swift: libcurl queues a transfer over its `CURLMOPT_MAX_HOST_CONNECTIONS` as "pending", and
/// 7.88 serves that queue unfairly and late (measured against one loopback receiver with 256 transfers
/// in libcurl and a limit of 32: p99 latency 0.34 s, against 0.026 s when only 32 were handed over, at
/// the same throughput). Parking here also keeps one saturated receiver from taking every transfer
/// slot: other origins start while it drains. Used only on the curl thread, so it is a plain value.
struct CurlOriginGate {
    /// Transfers per origin in libcurl at once (`maxHostConnections`).
    let limit: Int
    /// Transfers in libcurl, by origin; an origin with none is absent.
    private var running: [String: Int] = [:]
    /// Waiting submissions by origin; an origin with none is absent.
    private var parked: [String: CurlSubmissionQueue] = [:]
    /// Submissions parked over all origins.
    private(set) var parkedCount = 0

    /// A gate letting `limit` (at least 1) transfers per origin through.
    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Counts a transfer of `origin` as started and returns `true` when the origin has room;
    /// otherwise parks `submission` and returns `false`.
    mutating func admit(_ submission: CurlSubmission, origin: String) -> Bool {
        let count = running[origin, default: 0]
        guard count < limit else {
            parked[origin, default: CurlSubmissionQueue()].append(submission)
            parkedCount += 1
            return false
        }
        running[origin] = count + 1
        return true
    }

    /// A transfer of `origin` ended: returns the next parked submission of that origin, which takes
    /// over its place (still counted as running), or frees the place when none waits.
    mutating func finished(origin: String) -> CurlSubmission? {
        if let next = parked[origin]?.popFirst(1).first {
            parkedCount -= 1
            if parked[origin]?.count == 0 { parked[origin] = nil }
            return next
        }
        let count = running[origin, default: 1] - 1
        running[origin] = count > 0 ? count : nil
        return nil
    }

    /// Removes the parked submission with `id` (its task was cancelled), if it is parked.
    mutating func removeParked(id: UInt64) -> CurlSubmission? {
        for origin in parked.keys {
            guard let removed = parked[origin]?.remove(id: id) else { continue }
            parkedCount -= 1
            if parked[origin]?.count == 0 { parked[origin] = nil }
            return removed
        }
        return nil
    }

    /// Removes and returns every parked submission (shutdown: they never started).
    mutating func removeAllParked() -> [CurlSubmission] {
        defer {
            parked.removeAll()
            parkedCount = 0
        }
        return parked.values.flatMap { queue in
            var queue = queue
            return queue.removeAll()
        }
    }

    /// The `scheme://host:port` part of `url`, lower-cased and without user info: the key libcurl's
    /// per-host limit is about. A URL without `://` is its own key (libcurl will reject it anyway).
    static func origin(of url: String) -> String {
        // A scan of the UTF-8 bytes (string searching here was 2 % of the curl thread's time): the
        // delimiters are ASCII, and an ASCII byte is never part of another character's encoding. One
        // allocation at most (the origin string; none when it is short), as this runs per submission.
        var url = url
        return url.withUTF8 { bytes in
            let colon = UInt8(ascii: ":"), slash = UInt8(ascii: "/")
            var separator = 0
            while separator + 2 < bytes.count, !(bytes[separator] == colon && bytes[separator + 1] == slash && bytes[separator + 2] == slash) {
                separator += 1
            }
            guard separator + 2 < bytes.count else { return String(decoding: bytes, as: UTF8.self).lowercased() }
            let start = separator + 3
            var end = start
            var hostStart = start
            while end < bytes.count, bytes[end] != slash, bytes[end] != UInt8(ascii: "?"), bytes[end] != UInt8(ascii: "#") {
                if bytes[end] == UInt8(ascii: "@") { hostStart = end + 1 }
                end += 1
            }
            let scheme = UnsafeBufferPointer(rebasing: bytes[..<start])
            let host = UnsafeBufferPointer(rebasing: bytes[hostStart..<end])
            guard scheme.allSatisfy({ $0 < 0x80 }), host.allSatisfy({ $0 < 0x80 }) else {
                return (String(decoding: scheme, as: UTF8.self) + String(decoding: host, as: UTF8.self)).lowercased()
            }
            return String(unsafeUninitializedCapacity: scheme.count + host.count) { buffer in
                var count = 0
                func copyLowercased(_ part: UnsafeBufferPointer<UInt8>) {
                    for byte in part {
                        buffer[count] = byte >= 0x41 && byte <= 0x5A ? byte + 32 : byte
                        count += 1
                    }
                }
                copyLowercased(scheme)
                copyLowercased(host)
                return count
            }
        }
    }
}
