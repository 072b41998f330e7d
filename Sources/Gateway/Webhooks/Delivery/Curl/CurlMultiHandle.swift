internal import CCurl

/// Owns the transport's libcurl multi handle (`CURLM*`): its connection cache, limits and wake-up.
///
/// # Why `@unchecked Sendable` is sound here
/// This is the one type in the gateway that bends the Sendable rules, and it does so narrowly:
/// - ``wakeup()`` is the only method called off the curl thread. `curl_multi_wakeup` is documented
///   by libcurl as callable from any thread at any time, concurrently with `curl_multi_poll`.
/// - Every other method (``add(_:)``, ``remove(_:)``, ``perform()``, ``poll(timeoutMilliseconds:)``,
///   ``nextMessage()``) is called only by `CurlMultiLoop`, which runs on the single `gateway.curl`
///   thread; the thread start orders the setup in `init` before that use.
/// - The pointer itself is immutable, and `curl_multi_cleanup` runs in `deinit`, when no other
///   reference exists (the loop has returned and the transport and inbox are gone), so no wake-up can
///   race with it.
final class CurlMultiHandle: @unchecked Sendable {
    /// The libcurl multi handle.
    private let raw: UnsafeMutableRawPointer

    /// Creates a multi handle with HTTP/2 multiplexing and the given connection limits.
    ///
    /// - Parameters:
    ///   - maxHostConnections: `CURLMOPT_MAX_HOST_CONNECTIONS`, connections per host at once.
    ///   - maxCachedConnections: `CURLMOPT_MAXCONNECTS`, idle connections kept for reuse.
    /// - Returns: `nil` when libcurl cannot allocate the handle.
    init?(maxHostConnections: Int, maxCachedConnections: Int) {
        guard let raw = curl_multi_init() else { return nil }
        self.raw = raw
        _ = ccurl_multi_setopt_long(raw, CURLMOPT_PIPELINING, ccurl_pipe_multiplex())
        _ = ccurl_multi_setopt_long(raw, CURLMOPT_MAX_HOST_CONNECTIONS, max(1, maxHostConnections))
        _ = ccurl_multi_setopt_long(raw, CURLMOPT_MAXCONNECTS, max(1, maxCachedConnections))
    }

    deinit {
        curl_multi_cleanup(raw)
    }

    /// Interrupts a `curl_multi_poll` in progress, or makes the next one return at once. Any thread.
    func wakeup() {
        _ = curl_multi_wakeup(raw)
    }

    /// Starts driving `easy`. Curl thread only.
    func add(_ easy: CurlEasyHandle) -> Bool {
        curl_multi_add_handle(raw, easy.raw) == CURLM_OK
    }

    /// Stops driving `easy`; its callbacks will not be called again. Curl thread only.
    func remove(_ easy: CurlEasyHandle) {
        _ = curl_multi_remove_handle(raw, easy.raw)
    }

    /// Does whatever I/O is ready on every transfer without blocking. Curl thread only.
    func perform() -> CURLMcode {
        var running: Int32 = 0
        return curl_multi_perform(raw, &running)
    }

    /// Waits for socket activity, a libcurl timer, ``wakeup()`` or `timeoutMilliseconds`,
    /// whichever comes first. Curl thread only.
    func poll(timeoutMilliseconds: Int32) -> CURLMcode {
        curl_multi_poll(raw, nil, 0, timeoutMilliseconds, nil)
    }

    /// The next finished transfer: its easy handle's `CURLINFO_PRIVATE` pointer and result code.
    /// Curl thread only.
    func nextMessage() -> (owner: UnsafeMutableRawPointer, code: CURLcode)? {
        var queued: Int32 = 0
        while let message = curl_multi_info_read(raw, &queued) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            var owner: UnsafeMutableRawPointer?
            guard ccurl_easy_getinfo_pointer(easy, CURLINFO_PRIVATE, &owner) == CURLE_OK, let owner else { continue }
            return (owner, message.pointee.data.result)
        }
        return nil
    }
}
