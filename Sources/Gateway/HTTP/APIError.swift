public import Hummingbird
import NIOCore

/// An error a REST route answers with: a status and `{"error": {"code", "message"}}`.
///
/// Domain errors are mapped to this at the HTTP edge; anything unmapped becomes a logged 500 in
/// ``ErrorMiddleware``. The message never holds a stack trace or a secret.
public struct APIError: Error, HTTPResponseError, CustomStringConvertible {
    public let status: HTTPResponse.Status
    /// A stable, machine-readable code such as `malformed_json` or `invalid_field`.
    public let code: String
    public let message: String
    /// Extra response headers (`Allow` on 405, `WWW-Authenticate` on 401).
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, code: String, message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var writer = JSONObjectWriter(capacity: 64 + message.utf8.count)
        writer.field("code", code)
        writer.field("message", message)
        var body = ByteBuffer(string: #"{"error":"#)
        var inner = writer.finish()
        body.writeBuffer(&inner)
        body.writeString("}")
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }
}

extension APIError {
    /// 400: the body is not JSON at all.
    static func malformedJSON(_ detail: String) -> APIError {
        APIError(.badRequest, code: "malformed_json", message: "request body is not valid JSON: \(detail)")
    }

    /// 422: a field is missing or has the wrong type or value; the message names the field.
    static func invalidField(_ field: String, _ problem: String) -> APIError {
        APIError(.unprocessableContent, code: "invalid_field", message: "\(field): \(problem)")
    }

    /// 413: the body is larger than `http.maxBodyBytes`.
    static func tooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, code: "payload_too_large", message: "request body exceeds \(limit) bytes (http.maxBodyBytes)")
    }
}
