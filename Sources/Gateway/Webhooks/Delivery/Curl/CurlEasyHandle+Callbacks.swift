internal import CCurl

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The three C callbacks of an easy handle: body capture, header capture and the SSRF guard.
///
/// Each is a `@convention(c)` closure that captures nothing and finds its ``CurlEasyHandle`` through
/// the userdata pointer, an `Unmanaged.passUnretained(self)`. That is safe without retaining and
/// without `Sendable` because (1) libcurl calls these callbacks only from inside
/// `curl_multi_perform`, which runs on the transport's one curl thread, the same thread that owns
/// and mutates the handle; and (2) the curl loop keeps the handle alive in its table of running
/// transfers until after `curl_multi_remove_handle`, so no callback can outlive the object.
extension CurlEasyHandle {
    /// Points the write, header and open-socket callbacks, and `CURLINFO_PRIVATE`, at this handle.
    func installCallbacks() throws(TransportError) {
        let this = Unmanaged.passUnretained(self).toOpaque()
        try set(CURLOPT_PRIVATE, pointer: this)
        try set(CURLOPT_WRITEDATA, pointer: this)
        try set(CURLOPT_HEADERDATA, pointer: this)
        try set(CURLOPT_OPENSOCKETDATA, pointer: this)
        try Self.check(ccurl_easy_setopt_write_function(raw, Self.writeCallback), "write function")
        try Self.check(ccurl_easy_setopt_header_function(raw, Self.headerCallback), "header function")
        try Self.check(ccurl_easy_setopt_opensocket_function(raw, Self.openSocketCallback), "open-socket function")
    }

    /// The handle behind a userdata or `CURLINFO_PRIVATE` pointer set by ``installCallbacks()``.
    static func from(_ pointer: UnsafeMutableRawPointer) -> CurlEasyHandle {
        Unmanaged<CurlEasyHandle>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// Keeps the first ``maxResponseBytes`` of the body and accepts (drops) the rest, so the transfer
    /// completes normally however large the response is.
    static let writeCallback: curl_write_callback = { data, size, count, userdata in
        let length = size * count
        guard let data, let userdata else { return length }
        let handle = CurlEasyHandle.from(userdata)
        let room = handle.maxResponseBytes - handle.responseBody.count
        if room > 0 {
            handle.responseBody.append(contentsOf: UnsafeRawBufferPointer(start: data, count: min(room, length)))
        }
        return length
    }

    /// Receives one raw header line at a time (status line, fields, blank line).
    static let headerCallback: curl_write_callback = { data, size, count, userdata in
        let length = size * count
        guard let data, let userdata else { return length }
        CurlEasyHandle.from(userdata).receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: length))
        return length
    }

    /// The SSRF guard: decides on the resolved address before any socket exists.
    static let openSocketCallback: curl_opensocket_callback = { clientp, purpose, address in
        guard let clientp, let address else { return ccurl_socket_bad() }
        return CurlEasyHandle.from(clientp).openSocket(purpose: purpose, address: address)
    }

    /// Records a `name: value` line under the lower-cased name; a status line (`HTTP/…`) starts a
    /// new response, so interim `1xx` headers do not leak into the final response's headers.
    func receiveHeaderLine(_ line: UnsafeRawBufferPointer) {
        if line.starts(with: "HTTP/".utf8) {
            responseHeaders.removeAll(keepingCapacity: true)
            capturedHeaderBytes = 0
            return
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0 else { return }
        guard capturedHeaderBytes + line.count <= Self.headerCaptureLimit else { return }
        capturedHeaderBytes += line.count
        let name = String(decoding: line[..<colon], as: UTF8.self).lowercased()
        let isWhitespace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
        var value = line[(colon + 1)...]
        while let first = value.first, isWhitespace(first) { value = value.dropFirst() }
        while let last = value.last, isWhitespace(last) { value = value.dropLast() }
        responseHeaders[name] = String(decoding: value, as: UTF8.self)
    }

    /// Asks the ``AddressPolicy`` about `address`; on refusal records the message and returns
    /// `CURL_SOCKET_BAD` (libcurl then fails with `CURLE_COULDNT_CONNECT`), otherwise creates the
    /// socket as libcurl would have (close-on-exec added on Linux, so child processes never inherit it).
    func openSocket(purpose: curlsocktype, address: UnsafeMutablePointer<curl_sockaddr>) -> curl_socket_t {
        guard purpose == CURLSOCKTYPE_IPCXN else {
            refusal = "libcurl asked for a socket that is not an outgoing connection"
            return ccurl_socket_bad()
        }
        guard let ip = Self.ipAddress(of: UnsafePointer(address)) else {
            refusal = "address family \(address.pointee.family) is not IPv4 or IPv6"
            return ccurl_socket_bad()
        }
        if case .refuse = addressPolicy.decide(ip) {
            refusal = addressPolicy.refusalMessage(for: ip)
            return ccurl_socket_bad()
        }
        var socketType = address.pointee.socktype
        #if os(Linux)
        socketType |= Int32(SOCK_CLOEXEC.rawValue)
        #endif
        let descriptor = socket(address.pointee.family, socketType, address.pointee.protocol)
        guard descriptor >= 0 else { return ccurl_socket_bad() }
        openedSockets += 1
        return descriptor
    }

    /// The IP address in a `curl_sockaddr`, read in place because libcurl stores a whole
    /// `sockaddr_in6` where the C declaration only shows a 16-byte `sockaddr`.
    static func ipAddress(of address: UnsafePointer<curl_sockaddr>) -> IPAddress? {
        let family = address.pointee.family
        let length = Int(address.pointee.addrlen)
        let storage = UnsafeRawPointer(ccurl_sockaddr_address(address))
        if family == AF_INET, length >= MemoryLayout<sockaddr_in>.size, let storage {
            let ipv4 = storage.loadUnaligned(as: sockaddr_in.self)
            return .v4(UInt32(bigEndian: ipv4.sin_addr.s_addr))
        }
        if family == AF_INET6, length >= MemoryLayout<sockaddr_in6>.size, let storage {
            let ipv6 = storage.loadUnaligned(as: sockaddr_in6.self)
            return withUnsafeBytes(of: ipv6.sin6_addr) { IPAddress(bytes: $0) }
        }
        return nil
    }

    /// Turns a failed callback `curl_easy_setopt` into a ``TransportError``.
    private static func check(_ code: CURLcode, _ what: String) throws(TransportError) {
        guard code != CURLE_OK else { return }
        throw TransportError(.other, "libcurl refused the \(what): \(String(cString: curl_easy_strerror(code)))")
    }
}
