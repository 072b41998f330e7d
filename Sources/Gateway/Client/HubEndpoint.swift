import Foundation

/// The URLs `gateway client` talks to, derived from `--url` and `--id`: the WebSocket to connect to,
/// and `POST /broadcast` on the same host (the demo's REST round trip).
public struct HubEndpoint: Sendable, Equatable {
    /// `ws://…/ws` or `ws://…/ws/{id}`.
    public var webSocketURL: String
    /// `http://…/broadcast` (`https` for `wss`).
    public var broadcastURL: String

    /// RFC 3986 unreserved characters: everything else in an id is percent-encoded.
    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// Why a `--url`/`--id` pair cannot be used.
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// Derives both URLs.
    ///
    /// - Parameters:
    ///   - url: a `ws://` or `wss://` URL, normally ending in `/ws`.
    ///   - id: the client id to ask for; appended as a path segment (the URL must then end in `/ws`).
    ///     It is percent-encoded but not validated: the hub says what it accepts (a 1008 close).
    public init(url: String, id: String?) throws(Invalid) {
        guard var components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "ws" || scheme == "wss", let host = components.host, !host.isEmpty
        else { throw Invalid(description: "--url must be a ws:// or wss:// URL with a host, like ws://127.0.0.1:8000/ws") }
        if let id {
            var path = components.percentEncodedPath
            while path.hasSuffix("/") { path.removeLast() }
            guard path.hasSuffix("/ws") else { throw Invalid(description: "--id needs a --url that ends in /ws (got \(url))") }
            let segment = id.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? id
            components.percentEncodedPath = path + "/" + segment
        }
        guard let webSocketURL = components.string else { throw Invalid(description: "--url: cannot build a URL from \(url)") }
        self.webSocketURL = webSocketURL
        components.scheme = scheme == "wss" ? "https" : "http"
        components.percentEncodedPath = "/broadcast"
        components.percentEncodedQuery = nil
        components.fragment = nil
        self.broadcastURL = components.string ?? ""
    }
}
