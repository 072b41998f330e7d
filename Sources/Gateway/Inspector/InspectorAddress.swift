import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Recognises the gateway's own inspector URLs, `http://<loopback>:<our port>/inspect/<bin>`: the one
/// loopback destination a delivery may reach without `webhooks.allowedNetworks`, so a new user can
/// watch signed deliveries arrive in the built-in request bin. Nothing else on loopback is opened.
///
/// The port is known only once the server listens (`http.port` 0 picks one), so it is set then.
public final class InspectorAddress: Sendable {
    private let port = Mutex<Int?>(nil)

    public init() {}

    /// Records the port the server listens on.
    public func serverListening(on port: Int) { self.port.withLock { $0 = port } }

    /// Whether `url` is exactly an inspector bin of this gateway on a loopback host.
    public func isInspectorURL(_ url: String) -> Bool {
        guard let port = port.withLock({ $0 }), let components = URLComponents(string: url),
            components.scheme?.lowercased() == "http", components.port == port,
            let host = components.host?.lowercased(), ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host),
            components.user == nil, components.password == nil, components.query == nil, components.fragment == nil
        else { return false }
        let segments = components.path.split(separator: "/", omittingEmptySubsequences: false)
        return segments.count == 3 && segments[0].isEmpty && segments[1] == "inspect" && RequestInspector.isBinID(String(segments[2]))
    }
}
