#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Something that happened in the hub, for whoever listens (the webhook dispatcher, later).
///
/// The hub knows nothing of webhooks: it hands each event to a ``HubEventSink`` and moves on.
public enum HubEvent: Sendable, Equatable {
    /// A client completed the WebSocket upgrade and got its welcome.
    case clientConnected(clientID: String, clientNumber: Int, totalConnections: Int, at: Date)
    /// A client left; `reason` is one of ``DisconnectReason``'s raw values.
    case clientDisconnected(clientID: String, reason: DisconnectReason, remainingConnections: Int, at: Date)
    /// A message went out to `recipients` clients.
    case messageBroadcast(BroadcastMessage, source: MessageSource, recipients: Int)
}

/// Where a broadcast came from.
public enum MessageSource: String, Sendable, Equatable {
    /// A WebSocket client's frame.
    case websocket
    /// `POST /broadcast` or `POST /broadcast/specific`.
    case api
}

/// Why a client left, with the close code it was sent where the server chose it.
public enum DisconnectReason: String, Sendable, Equatable {
    case clientClosed = "client_closed"
    case evicted
    case rateLimited = "rate_limited"
    case messageTooLarge = "message_too_large"
    case serverShutdown = "server_shutdown"
    /// The client did not answer a keepalive ping before the next one was due.
    case pingTimeout = "ping_timeout"
    case error

    /// The close code that goes with this reason, when the server sent one.
    public var closeCode: UInt16? {
        switch self {
        case .clientClosed, .error: nil
        case .evicted: HubCloseCode.evicted
        case .rateLimited: HubCloseCode.policyViolation
        case .messageTooLarge: HubCloseCode.messageTooBig
        case .serverShutdown, .pingTimeout: HubCloseCode.goingAway
        }
    }

    /// The reason for a close the hub itself requested (eviction, shutdown), from its code.
    init?(hubCloseCode code: UInt16) {
        switch code {
        case HubCloseCode.evicted: self = .evicted
        case HubCloseCode.goingAway: self = .serverShutdown
        default: return nil
        }
    }
}

/// Receives hub events. Implementations must return at once (buffer and move on): the hub calls
/// this on its hot path and never waits.
public protocol HubEventSink: Sendable {
    /// Called once per event, from whichever task caused it.
    func hubEmitted(_ event: HubEvent)
}

/// The sink used when nothing consumes hub events: it drops them.
public struct DiscardingHubEventSink: HubEventSink {
    public init() {}
    public func hubEmitted(_ event: HubEvent) {}
}
