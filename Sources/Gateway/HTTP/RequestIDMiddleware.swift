public import Hummingbird
import HTTPTypes
import Logging

/// Gives every HTTP answer an `x-request-id` header: the client's own (when it sent a usable one) or
/// the id Hummingbird put in the request's log metadata (`hb.request.id`), so a client's report and
/// the server's log lines can be matched. A client's id is also added to the log metadata as
/// `http.request.id`. Outermost, so error answers carry it too.
public struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let incoming = request.headers[.requestID].flatMap { Self.isUsable($0) ? $0 : nil }
        if let incoming { context.logger[metadataKey: "http.request.id"] = .string(incoming) }
        let id = incoming ?? context.id
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[.requestID] = id
        return response
    }

    /// 1–128 visible ASCII characters: anything else is replaced by our own id (it ends up in logs).
    static func isUsable(_ id: String) -> Bool {
        (1...128).contains(id.utf8.count) && id.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }
}

extension HTTPField.Name {
    /// `x-request-id`.
    static let requestID = HTTPField.Name("x-request-id")!
}
