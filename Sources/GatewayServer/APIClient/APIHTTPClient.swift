import Gateway

import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The one HTTP helper of `gateway api`: sends a JSON request to the gateway's REST API with the admin
/// token and turns every answer into a ``JSONValue`` or an ``APIClientError``.
///
/// It uses URLSession (libcurl underneath on Linux), one ephemeral session per command: no cookies, no
/// cache, nothing written to disk. Redirects are not followed, so the token is never sent to another host.
struct APIHTTPClient: Sendable {
    /// The server, e.g. `http://127.0.0.1:8000` (a path prefix such as `https://host/gateway` is kept).
    let baseURL: URL
    /// The admin token, sent as `Authorization: Bearer` when present.
    let token: String?
    /// Seconds a request may take.
    let timeout: TimeInterval
    private let session: URLSession

    init(baseURL: URL, token: String?, timeout: TimeInterval) {
        self.baseURL = baseURL
        self.token = token
        self.timeout = timeout
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        session = URLSession(configuration: configuration, delegate: RefuseRedirects(), delegateQueue: nil)
    }

    /// `GET path?query`.
    func get(_ path: String, query: [(String, String?)] = []) async throws -> JSONValue {
        try await send("GET", path, query: query).json
    }

    /// `POST path` with an optional JSON body.
    func post(_ path: String, body: JSONValue? = nil, headers: [String: String] = [:]) async throws -> JSONValue {
        try await send("POST", path, body: body, headers: headers).json
    }

    /// `DELETE path`; the gateway answers 204 without a body.
    func delete(_ path: String) async throws {
        _ = try await send("DELETE", path)
    }

    /// Sends a request and returns the answer; statuses of 400 and above throw ``APIClientError/http(status:code:message:)``
    /// unless listed in `accepting` (readiness answers 503 with a body worth showing).
    /// - Parameters:
    ///   - method: The HTTP method.
    ///   - path: The path under ``baseURL``, starting with `/`; callers escape ids with ``escaped(_:)``.
    ///   - query: Query items; `nil` values are left out.
    ///   - body: A JSON body, sent with `content-type: application/json`.
    ///   - headers: Extra request headers.
    ///   - accepting: Error statuses returned as answers instead of thrown.
    func send(
        _ method: String,
        _ path: String,
        query: [(String, String?)] = [],
        body: JSONValue? = nil,
        headers: [String: String] = [:],
        accepting: Set<Int> = []
    ) async throws -> APIAnswer {
        let url = try self.url(path, query: query)
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = method
        request.setValue("application/json", forHTTPHeaderField: "accept")
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "authorization") }
        if let body {
            request.httpBody = try JSONEncoder().encode(body)
            request.setValue("application/json", forHTTPHeaderField: "content-type")
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch let error as URLError {
            throw APIClientError.unreachable(url: baseURL.absoluteString, reason: Self.reason(error))
        }
        guard let http = response as? HTTPURLResponse else { throw APIClientError.invalidAnswer("not an HTTP answer from \(url)") }
        let answer = APIAnswer(status: http.statusCode, body: data)
        if (300..<400).contains(http.statusCode) {
            let location = http.value(forHTTPHeaderField: "location") ?? "?"
            throw APIClientError.invalidAnswer("\(url) redirects (HTTP \(http.statusCode)) to \(location); pass the right --url")
        }
        if http.statusCode >= 400, !accepting.contains(http.statusCode) { throw APIClientError.http(answer) }
        return answer
    }

    /// A path segment (an id a user typed) escaped so that it stays one segment.
    static func escaped(_ segment: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#%")
        return segment.addingPercentEncoding(withAllowedCharacters: allowed) ?? segment
    }

    private func url(_ path: String, query: [(String, String?)]) throws -> URL {
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        let items = query.compactMap { name, value in value.map { URLQueryItem(name: name, value: $0) } }
        let unusable = APIClientError.invalidAnswer("cannot build a URL from \(base)\(path)")
        guard var components = URLComponents(string: base + path) else { throw unusable }
        if !items.isEmpty { components.queryItems = items }
        guard let url = components.url else { throw unusable }
        return url
    }

    private static func reason(_ error: URLError) -> String {
        switch error.code {
        case .cannotConnectToHost: "connection refused"
        case .timedOut: "timed out"
        case .cannotFindHost, .dnsLookupFailed: "host not found"
        case .notConnectedToInternet, .networkConnectionLost: "network unavailable"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate, .serverCertificateNotYetValid,
            .serverCertificateHasUnknownRoot:
            "TLS failed (\(error.localizedDescription))"
        default: error.localizedDescription
        }
    }
}

/// One answer from the gateway: its status and body.
struct APIAnswer: Sendable {
    let status: Int
    let body: Data

    /// The body as JSON (`null` when empty, as after a 204); a body that is not JSON throws.
    var json: JSONValue {
        get throws {
            if body.isEmpty { return .null }
            do {
                return try JSONDecoder().decode(JSONValue.self, from: body)
            } catch {
                let start = String(decoding: body.prefix(200), as: UTF8.self)
                throw APIClientError.invalidAnswer("HTTP \(status) with a body that is not JSON: \(start)")
            }
        }
    }
}

/// A session delegate that stops at the first answer: a 3xx is shown, never followed (with the token) elsewhere.
private final class RefuseRedirects: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(
        _ session: URLSession,
        task: URLSessionTask,
        willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest,
        completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
