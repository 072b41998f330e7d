import DequeModule
import Synchronization

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The built-in request bin: `POST /inspect/{bin}` records what arrives (headers, body, and whether
/// its Standard Webhooks signature verifies when the bin knows the secret), for the UI's Inspector.
///
/// In memory and bounded: at most ``Limits/maxBins`` bins (overflow policy: the least recently used
/// bin is dropped), at most ``Limits/maxRequestsPerBin`` requests each (overflow: the oldest request
/// is dropped), bodies up to ``Limits/maxBodyBytes`` (larger: 413), and a bin idle for
/// ``Limits/idleLifetime`` expires.
public final class RequestInspector: Sendable {
    /// The bounds above.
    public struct Limits: Sendable {
        public var maxBins = 16
        public var maxRequestsPerBin = 100
        public var maxBodyBytes = 64 * 1024
        public var idleLifetime: Duration = .seconds(3600)

        public init() {}
    }

    /// Whether a request's signature verified with the bin's secret.
    public enum SignatureCheck: String, Sendable, Codable {
        /// One of the `v1,` signatures matches.
        case valid
        /// Signed, but no signature matches (or the timestamp is not a number).
        case invalid
        /// A `webhook-*` header is missing.
        case missing
        /// The bin has no secret to check with.
        case unchecked
    }

    /// One recorded request.
    public struct InspectedRequest: Sendable, Codable {
        public var id: String
        public var receivedAt: Date
        public var method: String
        /// Lower-case names; the last of repeated headers wins.
        public var headers: [String: String]
        /// The body as UTF-8 (invalid bytes replaced).
        public var body: String
        public var bodyBytes: Int
        public var signature: SignatureCheck

        enum CodingKeys: String, CodingKey {
            case id, method, headers, body, signature
            case receivedAt = "received_at"
            case bodyBytes = "body_bytes"
        }
    }

    /// A bin as the API shows it.
    public struct BinView: Sendable, Codable {
        public var id: String
        /// The path to send requests to (the UI prefixes its origin).
        public var url: String
        public var secret: String?
        public var createdAt: Date
        public var expiresAt: Date
        public var requestCount: Int

        enum CodingKeys: String, CodingKey {
            case id, url, secret
            case createdAt = "created_at"
            case expiresAt = "expires_at"
            case requestCount = "request_count"
        }
    }

    private struct Bin {
        var id: String
        var secret: String?
        var createdAt: Date
        var lastActive: Date
        var requests: Deque<InspectedRequest> = []
        var total = 0
    }

    public let limits: Limits
    private let bins = Mutex<[String: Bin]>([:])
    private let events: AdminEventStream?

    /// - Parameter events: Where each recorded request is announced (the UI's live view).
    public init(limits: Limits = Limits(), events: AdminEventStream? = nil) {
        self.limits = limits
        self.events = events
    }

    /// Bin ids look like `bin_` and 26 identifier characters; anything else is never a bin.
    static func isBinID(_ text: String) -> Bool {
        text.hasPrefix("bin_") && text.utf8.count <= 64 && text.utf8.dropFirst(4).allSatisfy { byte in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
        }
    }

    /// A new bin that checks signatures with `secret` (a `whsec_…` secret) when given.
    public func create(secret: String?, now: Date = Date()) -> BinView {
        let bin = Bin(id: Identifier.make(prefix: "bin_"), secret: secret, createdAt: now, lastActive: now)
        return bins.withLock { bins in
            expire(&bins, now: now)
            while bins.count >= limits.maxBins, let oldest = bins.values.min(by: { $0.lastActive < $1.lastActive }) {
                bins[oldest.id] = nil
            }
            bins[bin.id] = bin
            return view(bin)
        }
    }

    /// Every live bin, newest first.
    public func list(now: Date = Date()) -> [BinView] {
        bins.withLock { bins in
            expire(&bins, now: now)
            return bins.values.sorted { $0.createdAt > $1.createdAt }.map(view)
        }
    }

    /// A bin and its requests, newest first.
    public func bin(id: String, now: Date = Date()) -> (bin: BinView, requests: [InspectedRequest])? {
        bins.withLock { bins in
            expire(&bins, now: now)
            return bins[id].map { (view($0), $0.requests.reversed()) }
        }
    }

    /// Deletes a bin; `false` if there was none.
    public func delete(id: String) -> Bool {
        bins.withLock { $0.removeValue(forKey: id) != nil }
    }

    /// Records a request to `binID`; `nil` when there is no such bin.
    public func record(binID: String, method: String, headers: [(name: String, value: String)], body: [UInt8], now: Date = Date()) -> InspectedRequest? {
        var flat: [String: String] = [:]
        for header in headers { flat[header.name.lowercased()] = header.value }
        let recorded = bins.withLock { bins -> InspectedRequest? in
            expire(&bins, now: now)
            guard var bin = bins[binID] else { return nil }
            let request = InspectedRequest(
                id: Identifier.make(prefix: "req_"), receivedAt: now, method: method, headers: flat,
                body: String(decoding: body, as: UTF8.self), bodyBytes: body.count, signature: Self.check(flat, body: body, secret: bin.secret)
            )
            bin.requests.append(request)
            if bin.requests.count > limits.maxRequestsPerBin { bin.requests.removeFirst() }
            bin.total += 1
            bin.lastActive = now
            bins[binID] = bin
            return request
        }
        if let recorded, let events, events.isObserved {
            events.publish(.init(name: "inspector", json: AdminJSON.encode(InspectorEvent(bin: binID, request: recorded))))
        }
        return recorded
    }

    /// The `inspector` admin event.
    private struct InspectorEvent: Encodable {
        var bin: String
        var request: InspectedRequest
    }

    private static func check(_ headers: [String: String], body: [UInt8], secret: String?) -> SignatureCheck {
        guard let secret else { return .unchecked }
        guard let id = headers["webhook-id"], let timestamp = headers["webhook-timestamp"], let signature = headers["webhook-signature"] else {
            return .missing
        }
        guard let seconds = Int64(timestamp) else { return .invalid }
        return WebhookSigner.verify(header: signature, secret: secret, id: id, timestamp: seconds, body: body) ? .valid : .invalid
    }

    private func expire(_ bins: inout [String: Bin], now: Date) {
        let lifetime = Double(limits.idleLifetime.components.seconds)
        bins = bins.filter { now.timeIntervalSince($0.value.lastActive) < lifetime }
    }

    private func view(_ bin: Bin) -> BinView {
        BinView(
            id: bin.id, url: "/inspect/\(bin.id)", secret: bin.secret, createdAt: bin.createdAt,
            expiresAt: bin.lastActive.addingTimeInterval(Double(limits.idleLifetime.components.seconds)), requestCount: bin.total
        )
    }
}
