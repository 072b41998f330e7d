internal import CCurl

/// Owns one libcurl easy handle (`CURL*`) set up for one webhook POST at a time, and what came back.
///
/// Handles are reused, as libcurl advises: ``configureShared(userAgent:caFile:)`` sets the options every
/// transfer shares once, and ``prepare(for:transferID:addressPolicy:)`` replaces everything that belongs
/// to one transfer (URL, headers, body, timeouts, SSRF policy, captured response). Creating a handle
/// per transfer cost the curl thread about a third more CPU per request (docs/PERFORMANCE.md).
///
/// The handle is restricted to `http`/`https`, never follows redirects, verifies TLS peers and host
/// names, prefers HTTP/2 over TLS, and asks the SSRF guard (``AddressPolicy``) about every address
/// before a socket exists (see `CurlEasyHandle+Callbacks.swift`). It keeps the request body, the
/// header list and the error buffer alive for as long as libcurl may read them, and frees them with
/// the handle in `deinit`.
///
/// Not `Sendable`, on purpose: a `CURL*` may be used by one thread at a time, and every handle is
/// created, driven and dropped on the transport's single curl thread. The owner must remove the
/// handle from its multi handle before dropping the last reference.
final class CurlEasyHandle {
    /// The transport's number for the current transfer, used to find the waiting caller again.
    private(set) var transferID: UInt64 = 0
    /// The libcurl easy handle this object owns.
    let raw: UnsafeMutableRawPointer
    /// The SSRF rules the open-socket callback applies to the current transfer.
    private(set) var addressPolicy: AddressPolicy
    /// How many response body bytes are kept; the rest is read and dropped.
    let maxResponseBytes: Int

    /// The request header list given to `CURLOPT_HTTPHEADER`; freed in `deinit`.
    private var headerList: UnsafeMutablePointer<curl_slist>?
    /// Where ``setHeaders(_:)`` writes each `name: value` line before libcurl copies it (reused).
    private var headerLine: [UInt8] = []
    /// A copy of the request body given to `CURLOPT_POSTFIELDS`; libcurl does not copy it.
    private var postBody: UnsafeMutableRawBufferPointer?
    /// The `CURLOPT_ERRORBUFFER` where libcurl writes a detailed message on failure.
    private let errorBuffer: UnsafeMutablePointer<CChar>

    /// The first ``maxResponseBytes`` bytes of the response body.
    var responseBody: [UInt8] = []
    /// Response headers of the final response, lower-cased names, the last occurrence winning.
    var responseHeaders: [String: String] = [:]
    /// Bytes of header names and values captured so far, bounded by ``headerCaptureLimit``.
    var capturedHeaderBytes = 0
    /// The SSRF guard's message for the last address it refused, if any.
    var refusal: String?
    /// How many sockets the open-socket callback created (all allowed addresses).
    var openedSockets = 0

    /// Header bytes kept per response: a misbehaving receiver cannot make one transfer hold more.
    static let headerCaptureLimit = 16 * 1024

    /// Creates an easy handle; ``configureShared(userAgent:caFile:)`` must follow before any transfer.
    ///
    /// - Parameters:
    ///   - addressPolicy: The SSRF rules for the open-socket callback (each transfer sets its own).
    ///   - maxResponseBytes: How much of the response body to keep.
    /// - Returns: `nil` when libcurl cannot allocate a handle.
    init?(addressPolicy: AddressPolicy, maxResponseBytes: Int) {
        guard let raw = curl_easy_init() else { return nil }
        self.raw = raw
        self.addressPolicy = addressPolicy
        self.maxResponseBytes = max(0, maxResponseBytes)
        let errorSize = ccurl_error_size() + 1
        self.errorBuffer = .allocate(capacity: errorSize)
        self.errorBuffer.initialize(repeating: 0, count: errorSize)
    }

    deinit {
        curl_easy_cleanup(raw)
        curl_slist_free_all(headerList)
        postBody?.deallocate()
        errorBuffer.deallocate()
    }

    /// Sets the options every transfer shares: policy options, callbacks, user agent.
    ///
    /// - Parameters:
    ///   - userAgent: The `User-Agent` unless the request carries its own.
    ///   - caFile: CA certificates to verify the server with instead of the system's bundle.
    /// - Throws: ``TransportError`` of kind `.other` when libcurl refuses an option or runs out of memory.
    func configureShared(userAgent: String, caFile: String? = nil) throws(TransportError) {
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_PROTOCOLS_STR, "http,https")
        try set(CURLOPT_FOLLOWLOCATION, 0)
        try set(CURLOPT_SSL_VERIFYPEER, 1)
        try set(CURLOPT_SSL_VERIFYHOST, 2)
        if let caFile { try set(CURLOPT_CAINFO, caFile) }
        // HTTP/2 where the server offers it (ALPN); the multi handle multiplexes transfers over it.
        try set(CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS)
        // An empty proxy string disables http_proxy/https_proxy from the environment, which would
        // otherwise route around the SSRF guard (it would only see the proxy's address).
        try set(CURLOPT_PROXY, "")
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
        try installCallbacks()
        try set(CURLOPT_USERAGENT, userAgent)
    }

    /// Sets what belongs to one transfer (URL, headers, body, timeouts, SSRF policy) and forgets what
    /// the previous transfer on this handle captured. The handle must not be in a multi handle, and
    /// must be dropped, not reused, when this throws.
    ///
    /// - Throws: ``TransportError`` of kind `.other` when libcurl refuses an option or runs out of memory.
    func prepare(for request: TransportRequest, transferID: UInt64, addressPolicy: AddressPolicy) throws(TransportError) {
        self.transferID = transferID
        self.addressPolicy = addressPolicy
        responseBody.removeAll(keepingCapacity: true)
        responseHeaders.removeAll(keepingCapacity: true)
        capturedHeaderBytes = 0
        refusal = nil
        openedSockets = 0
        errorBuffer[0] = 0
        try set(CURLOPT_URL, request.url)
        try setHeaders(request.headers)
        try setBody(request.body)
        try set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeout))
        try set(CURLOPT_TIMEOUT_MS, Self.milliseconds(request.totalTimeout))
    }

    /// Sets an integer option (`long`).
    func set(_ option: CURLoption, _ value: Int) throws(TransportError) {
        try Self.check(ccurl_easy_setopt_long(raw, option, value), option)
    }

    /// Sets a string option; libcurl copies the string before this returns.
    func set(_ option: CURLoption, _ value: String) throws(TransportError) {
        try Self.check(ccurl_easy_setopt_string(raw, option, value), option)
    }

    /// Sets a pointer option; the caller keeps the pointee alive while libcurl may use it.
    func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer?) throws(TransportError) {
        try Self.check(ccurl_easy_setopt_pointer(raw, option, value), option)
    }

    /// Sets a `curl_off_t` option such as a large size.
    func set(_ option: CURLoption, offset value: curl_off_t) throws(TransportError) {
        try Self.check(ccurl_easy_setopt_off_t(raw, option, value), option)
    }

    /// Reads an integer transfer fact, such as `CURLINFO_RESPONSE_CODE`; 0 when unavailable.
    func info(long info: CURLINFO) -> Int {
        var value = 0
        return ccurl_easy_getinfo_long(raw, info, &value) == CURLE_OK ? value : 0
    }

    /// The message libcurl wrote into the error buffer for the last failure, or "".
    var errorDetail: String {
        String(cString: errorBuffer)
    }

    /// Builds the header list: `name: value` per header (`name;` for an empty value, which is how
    /// libcurl sends an empty header), plus an empty `Expect:` so a large body is sent at once
    /// instead of waiting for `100 Continue`.
    ///
    /// Each line is written into one reused byte buffer and copied by `curl_slist_append`: no Swift
    /// string per line (building them, and lower-casing every name to look for `Expect`, were a dozen
    /// allocations per transfer on the curl thread).
    private func setHeaders(_ headers: [(name: String, value: String)]) throws(TransportError) {
        // The new list is complete and set before the previous transfer's list is freed, so the
        // option never points at freed memory, even when building the new one fails half-way.
        var list: UnsafeMutablePointer<curl_slist>?
        /// `name: value`; `name;` for an empty value; `name:` (libcurl then sends no such header) for nil.
        func append(_ name: String, _ value: String?) throws(TransportError) {
            headerLine.removeAll(keepingCapacity: true)
            headerLine.append(contentsOf: name.utf8)
            switch value {
            case nil: headerLine.append(UInt8(ascii: ":"))
            case ""?: headerLine.append(UInt8(ascii: ";"))
            case let value?:
                headerLine.append(contentsOf: ": ".utf8)
                headerLine.append(contentsOf: value.utf8)
            }
            headerLine.append(0)
            let appended = headerLine.withUnsafeBytes { curl_slist_append(list, $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
            guard let appended else {
                curl_slist_free_all(list)
                throw TransportError(.other, "libcurl could not allocate the request header list")
            }
            list = appended
        }
        for header in headers { try append(header.name, header.value) }
        if !headers.contains(where: { Self.isExpect($0.name) }) { try append("Expect", nil) }
        do {
            try Self.check(ccurl_easy_setopt_slist(raw, CURLOPT_HTTPHEADER, list), CURLOPT_HTTPHEADER)
        } catch {
            curl_slist_free_all(list)
            throw error
        }
        curl_slist_free_all(headerList)
        headerList = list
    }

    /// Whether a header name is `Expect`, in any case, without building a lower-cased copy.
    static func isExpect(_ name: String) -> Bool {
        // `| 0x20` lower-cases an ASCII letter; only `E`/`e` (and so on) map to each letter of "expect".
        name.utf8.count == 6 && zip(name.utf8, "expect".utf8).allSatisfy { $0 | 0x20 == $1 }
    }

    /// Copies the body into memory this handle owns and points `CURLOPT_POSTFIELDS` at it, which
    /// also makes the request a POST. At least one byte is allocated so the pointer is never null.
    private func setBody(_ body: [UInt8]) throws(TransportError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(body.count, 1), alignment: 1)
        // Owned from here on (freed with the handle or by the next transfer's body), set or not.
        postBody?.deallocate()
        postBody = buffer
        buffer.copyBytes(from: body)
        try set(CURLOPT_POSTFIELDSIZE_LARGE, offset: curl_off_t(body.count))
        try set(CURLOPT_POSTFIELDS, pointer: buffer.baseAddress)
    }

    /// Frees the request body of a finished transfer (the handle is idle; the next `prepare` sets a
    /// new one). The option is pointed at an empty body first, so it never refers to freed memory.
    func releaseBody() {
        guard let body = postBody else { return }
        _ = ccurl_easy_setopt_off_t(raw, CURLOPT_POSTFIELDSIZE_LARGE, 0)
        _ = ccurl_easy_setopt_pointer(raw, CURLOPT_POSTFIELDS, nil)
        body.deallocate()
        postBody = nil
    }

    /// Whole milliseconds in `duration`, at least 1, because 0 means "no timeout" to libcurl.
    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 1 }
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow else { return Int(Int32.max) }
        return max(1, Int(clamping: whole) + Int(attoseconds / 1_000_000_000_000_000))
    }

    /// Turns a failed `curl_easy_setopt` into a ``TransportError``.
    private static func check(_ code: CURLcode, _ option: CURLoption) throws(TransportError) {
        guard code != CURLE_OK else { return }
        let reason = String(cString: curl_easy_strerror(code))
        throw TransportError(.other, "libcurl refused option \(option.rawValue): \(reason)")
    }
}

/// A `CURL*` belongs to one thread at a time; the type says so to the compiler as well as in prose.
@available(*, unavailable)
extension CurlEasyHandle: Sendable {}
