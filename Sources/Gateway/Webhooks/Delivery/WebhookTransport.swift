/// Moves one signed webhook request to its URL and reports what came back. Nothing else:
/// timing, retries and limits belong to the delivery engine.
///
/// Implementations: `CurlTransport` (libcurl multi on one thread); tests add recording or failing
/// transports that conform to this protocol.
public protocol WebhookTransport: Sendable {
    /// Sends `request`; returns the response for any HTTP status, throws ``TransportError`` when no
    /// HTTP response was received (refused address, connect error, timeout, overload, shutdown).
    func send(_ request: TransportRequest) async throws -> TransportResponse

    /// Starts sending `request` and calls `completion` exactly once with the outcome, on a thread of
    /// the transport's choosing; must not block the caller. The delivery engine's path: a transport
    /// that can (``CurlTransport``) calls back from its own thread, with no task per request.
    func submit(_ request: TransportRequest, completion: @escaping @Sendable (Result<TransportResponse, TransportError>) -> Void)
}

extension WebhookTransport {
    /// For transports that only implement `send`: runs it in a task of its own.
    public func submit(_ request: TransportRequest, completion: @escaping @Sendable (Result<TransportResponse, TransportError>) -> Void) {
        Task.detached {
            do {
                completion(.success(try await send(request)))
            } catch let error as TransportError {
                completion(.failure(error))
            } catch {
                completion(.failure(TransportError(.other, "\(error)")))
            }
        }
    }
}

/// One outgoing webhook POST.
public struct TransportRequest: Sendable {
    /// Absolute `http`/`https` URL.
    public var url: String
    /// Request headers in order (signature headers, content-type, user-agent, the subscription's own).
    public var headers: [(name: String, value: String)]
    /// The JSON body.
    public var body: [UInt8]
    /// Limit for establishing the connection (TCP + TLS).
    public var connectTimeout: Duration
    /// Limit for the whole transfer.
    public var totalTimeout: Duration
    /// Loopback addresses may be connected to (the gateway's own inspector; the engine sets this only
    /// for exactly such URLs). Every other address is still checked by the SSRF guard.
    public var allowsLoopback = false

    public init(url: String, headers: [(name: String, value: String)], body: [UInt8], connectTimeout: Duration, totalTimeout: Duration) {
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
    }
}

/// What the receiver answered.
public struct TransportResponse: Sendable, Equatable {
    public var statusCode: Int
    /// Response headers with lower-cased names (the engine reads `retry-after` and `webhook-delivery`).
    public var headers: [String: String]
    /// The first bytes of the body (at most the transport's capture limit, 4 KiB by default).
    public var body: [UInt8]
    /// From starting the request to the last byte.
    public var duration: Duration

    public init(statusCode: Int, headers: [String: String], body: [UInt8], duration: Duration) {
        self.statusCode = statusCode
        self.headers = headers
        self.body = body
        self.duration = duration
    }
}

/// Why no HTTP response was received.
public struct TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The failure classes the engine reacts to; the raw value appears in the attempt log.
    public enum Kind: String, Sendable, Equatable {
        /// The SSRF guard refused the resolved address (never retried into a different answer, but retried per policy).
        case blockedAddress = "blocked_address"
        /// DNS, connect or TLS failure, or the connection broke.
        case connectionFailed = "connection_failed"
        /// The connect or total timeout expired.
        case timedOut = "timed_out"
        /// The transport's bounded inbox is full (overflow policy: refuse, the engine retries later).
        case overloaded
        /// The transport is shutting down.
        case shutdown
        /// Anything else libcurl reported.
        case other
    }

    public var kind: Kind
    /// A human-readable message; for `blockedAddress` it names the rule and `webhooks.allowedNetworks`.
    public var message: String
    /// How long the attempt took before failing.
    public var duration: Duration

    public init(_ kind: Kind, _ message: String, duration: Duration = .zero) {
        self.kind = kind
        self.message = message
        self.duration = duration
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}
