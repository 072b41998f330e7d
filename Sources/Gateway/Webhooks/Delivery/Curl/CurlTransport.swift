internal import CCurl
import Foundation
public import Logging

/// A ``WebhookTransport`` on libcurl's multi interface, driven by one dedicated thread.
///
/// `send` is called from Swift tasks; the transfer itself runs on the `gateway.curl` thread, which owns
/// the curl multi handle (and so its connection cache: keep-alive and HTTP/2 multiplexing per host).
/// Why a thread and not a task: `curl_multi_poll` blocks, and blocking a cooperative thread of the
/// Swift runtime would starve unrelated tasks. Tasks hand requests over through a bounded ``CurlInbox``
/// (a `Mutex`), which wakes the thread with `curl_multi_wakeup`; the thread resumes each task's
/// continuation (or calls each ``submit(_:completion:)`` callback) when its transfer ends.
///
/// At most `maxConcurrentTransfers` transfers, and `maxHostConnections` per origin, are in libcurl at
/// once; the rest wait in Swift, in order, because libcurl 7.88 serves its own backlog late.
///
/// Every connection is checked by the SSRF guard (``Configuration/addressPolicy``) on the resolved
/// address before its socket exists, redirects are never followed, and only `http`/`https` are allowed.
///
/// Call ``shutdown(gracePeriod:)`` before dropping the transport; dropping it without that aborts
/// any remaining work and stops the thread without waiting.
public final class CurlTransport: WebhookTransport {
    /// The limits and policy this transport was created with.
    public let configuration: Configuration
    private let logger: Logger
    private let inbox: CurlInbox

    /// `curl_global_init`, exactly once per process: a lazily initialised static is initialised
    /// under `swift_once`, so concurrent first transports cannot race on libcurl's global state.
    private static let globalInitResult: CURLcode = ccurl_global_init()

    /// Creates the transport and starts its `gateway.curl` thread.
    ///
    /// - Parameters:
    ///   - configuration: Limits, user agent and SSRF policy.
    ///   - logger: Lifecycle at `info`, one `debug` line per finished transfer.
    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        let globalInit = Self.globalInitResult
        let multi = CurlMultiHandle(
            maxHostConnections: configuration.maxHostConnections,
            maxCachedConnections: max(configuration.maxConcurrentTransfers, 1)
        )
        let unavailable = TransportError(.other, "libcurl is unavailable (curl_global_init \(globalInit.rawValue), curl_multi_init failed)")
        let inbox = CurlInbox(capacity: configuration.inboxCapacity, multi: multi, unavailable: unavailable)
        self.inbox = inbox
        guard let multi else {
            logger.error("curl transport unavailable", metadata: ["curl.global_init": "\(globalInit.rawValue)"])
            return
        }
        let thread = Thread { [configuration, logger] in
            _ = ccurl_name_current_thread("gateway.curl")
            CurlMultiLoop(multi: multi, inbox: inbox, configuration: configuration, logger: logger).run()
        }
        thread.start()
        logger.info(
            "curl transport started",
            metadata: [
                "curl.version": "\(String(cString: curl_version()))",
                "transport.max_concurrent_transfers": "\(configuration.maxConcurrentTransfers)",
                "transport.max_host_connections": "\(configuration.maxHostConnections)",
                "transport.inbox_capacity": "\(inbox.capacity)",
            ]
        )
    }

    /// Dropped without ``shutdown(gracePeriod:)``: stop the thread without a grace period. No send
    /// can be in flight here, since each one holds a reference to the transport.
    deinit {
        inbox.beginShutdown(gracePeriod: .zero)
    }

    /// POSTs `request` and returns the response, whatever its status.
    ///
    /// Throws ``TransportError``: `.overloaded` at once when the inbox is full, `.shutdown` once
    /// shutdown began, `.blockedAddress`, `.connectionFailed`, `.timedOut` or `.other` from the transfer,
    /// and `.other` for a URL or header containing a line break or NUL (it would change the request).
    /// Cancelling the calling task removes the transfer (through the curl thread if it already
    /// started) and throws `CancellationError`.
    public func send(_ request: TransportRequest) async throws -> TransportResponse {
        try Self.validate(request)
        let id = inbox.makeID()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let waiter = CurlWaiter { continuation.resume(with: $0) }
                inbox.submit(CurlSubmission(id: id, request: request, waiter: waiter), isCancelled: Task.isCancelled)
            }
        } onCancel: {
            inbox.cancel(id)
        }
    }

    /// Starts POSTing `request` without a task: `completion` runs once, on the curl thread when the
    /// transfer ends (or on the caller's thread when the request is refused before it starts), with
    /// the same outcomes `send` returns or throws. What the delivery engine uses: no task, no
    /// continuation and no thread hop per attempt.
    public func submit(_ request: TransportRequest, completion: @escaping @Sendable (Result<TransportResponse, TransportError>) -> Void) {
        do {
            try Self.validate(request)
        } catch {
            return completion(.failure(error))
        }
        // Only a cancelled `send` produces anything but a TransportError, and a submission is never cancelled.
        let waiter = CurlWaiter { result in completion(result.mapError { $0 as? TransportError ?? TransportError(.other, "\($0)") }) }
        inbox.submit(CurlSubmission(id: inbox.makeID(), request: request, waiter: waiter), isCancelled: false)
    }

    /// Stops the transport: new sends throw `.shutdown`, sends still waiting in the inbox fail with
    /// `.shutdown`, running transfers get up to `gracePeriod` to finish and are then aborted with
    /// `.shutdown`, and the curl thread exits. Returns once it has; calling it again just waits.
    ///
    /// Whether the transport takes new transfers (for readiness: the curl thread runs, no shutdown began).
    public var isRunning: Bool { inbox.isAccepting }

    /// - Parameter gracePeriod: How long running transfers may still take.
    public func shutdown(gracePeriod: Duration = .seconds(10)) async {
        logger.info("curl transport shutting down", metadata: ["transport.grace_period": "\(gracePeriod)"])
        inbox.beginShutdown(gracePeriod: gracePeriod)
        await inbox.waitForExit()
        logger.info("curl transport stopped")
    }

    /// Refuses a request whose URL or headers contain CR, LF or NUL: libcurl would cut the string at
    /// NUL or send the line break on, letting a header value smuggle in another header.
    private static func validate(_ request: TransportRequest) throws(TransportError) {
        // On the UTF-8 bytes: CR, LF and NUL are single bytes there and never part of another
        // character's encoding (a Set of scalars here cost 5 % of the engine's CPU).
        let isClean: (String) -> Bool = { !$0.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 } }
        guard isClean(request.url) else {
            throw TransportError(.other, "the URL contains a line break or NUL character")
        }
        for header in request.headers where !isClean(header.name) || !isClean(header.value) || header.name.isEmpty {
            throw TransportError(.other, "header \(header.name.debugDescription) is empty or contains a line break or NUL character")
        }
    }
}
