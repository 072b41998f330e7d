public import HTTPTypes
import Synchronization

/// The router's path templates and their methods, so that ``ErrorMiddleware`` can answer a wrong
/// method with 405 and `Allow` instead of 404, for every route (`/webhooks/{id}` too).
///
/// The middleware must be added to the router before the routes, so the table is filled once they
/// are registered (``load(_:)``), from the router's own list: nothing is kept by hand.
public final class RouteTable: Sendable {
    /// One template: its segments (`{name}` matches any one segment) and methods.
    private struct Template: Sendable {
        var segments: [Substring]
        var methods: [HTTPRequest.Method]
    }

    private let templates = Mutex<[Template]>([])

    public init() {}

    /// Replaces the table with `routes` (`path` as the router prints it, e.g. `/webhooks/{id}`).
    public func load(_ routes: [(path: String, method: HTTPRequest.Method)]) {
        var byPath: [String: [HTTPRequest.Method]] = [:]
        for route in routes { byPath[route.path, default: []].append(route.method) }
        let loaded = byPath.map { Template(segments: Self.segments(of: $0.key), methods: $0.value) }
        templates.withLock { $0 = loaded }
    }

    /// The methods some template matching `path` answers to (empty when no template matches).
    public func methods(for path: String) -> [HTTPRequest.Method] {
        let segments = Self.segments(of: path)
        let methods = templates.withLock { templates in
            templates.filter { Self.matches($0.segments, segments) }.flatMap(\.methods)
        }
        return Array(Set(methods)).sorted { $0.rawValue < $1.rawValue }
    }

    private static func segments(of path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }

    private static func matches(_ template: [Substring], _ path: [Substring]) -> Bool {
        template.count == path.count && zip(template, path).allSatisfy { $0.first == "{" && $0.last == "}" || $0 == $1 }
    }
}
