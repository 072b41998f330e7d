import Gateway

/// Why a `gateway api` command failed, with the line it prints and the exit status it ends with.
///
/// The gateway's own error answers (`{"error": {"code", "message"}}`) are shown as the server wrote them:
/// `gateway: no subscription with id 'wh_1' (HTTP 404, not_found)`.
struct APIClientError: Error, CustomStringConvertible {
    /// What went wrong, which decides the exit code.
    private enum Kind {
        case http
        case unreachable
        case invalidAnswer
    }

    private let kind: Kind
    /// The message, without the `gateway: ` prefix.
    let description: String

    /// The process exit status: 1 for an error answer or an unusable one, 69 (`EX_UNAVAILABLE`) when the
    /// server could not be reached, so scripts can tell "the gateway said no" from "no gateway there".
    var exitCode: Int32 { kind == .unreachable ? 69 : 1 }

    /// An answer with status 400 or above: the server's message and code when the body has them.
    static func http(_ answer: APIAnswer) -> APIClientError {
        let error = (try? answer.json)?["error"]
        let code = error?["code"]?.string
        let message = error?["message"]?.string ?? Self.fallbackMessage(answer)
        let suffix = code.map { "(HTTP \(answer.status), \($0))" } ?? "(HTTP \(answer.status))"
        return APIClientError(kind: .http, description: "\(message) \(suffix)")
    }

    /// Nothing answered at `url`.
    static func unreachable(url: String, reason: String) -> APIClientError {
        APIClientError(kind: .unreachable, description: "cannot reach the gateway at \(url): \(reason) (is it running? see --url)")
    }

    /// An answer the client cannot use (not JSON, a redirect).
    static func invalidAnswer(_ message: String) -> APIClientError {
        APIClientError(kind: .invalidAnswer, description: message)
    }

    /// The first line of a body that is not the gateway's error shape (a proxy's page), or a generic text.
    private static func fallbackMessage(_ answer: APIAnswer) -> String {
        let text = String(decoding: answer.body.prefix(200), as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return text.isEmpty ? "the server answered with an error" : text
    }
}
