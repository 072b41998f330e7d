public import Hummingbird
public import Logging

/// Turns every error into the JSON error shape with the right status.
///
/// ``APIError`` passes through. Hummingbird's own `HTTPError`s (404 for an unknown route, 413 from
/// a body limit) keep their status and get a JSON body; a 404 on a path that a route answers for
/// other methods (per the ``RouteTable``) becomes 405 with `Allow`. Anything else is a bug: it is logged once and answered with a
/// 500 that reveals nothing.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The routes' methods, for 405.
    let routes: RouteTable
    let logger: Logger

    public init(routes: RouteTable, logger: Logger) {
        self.routes = routes
        self.logger = logger
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as WebhookError {
            throw APIError(error)
        } catch let error as JournalError {
            // The request was not accepted (nothing was answered as done): the client may retry later.
            logger.error("Journal refused a write", metadata: ["http.request.path": "\(request.uri.path)", "error": "\(error)"])
            throw APIError(.serviceUnavailable, code: "storage_unavailable", message: "the delivery journal cannot take writes now; retry later")
        } catch let error as HTTPError {
            throw map(error, request: request)
        } catch let error as any HTTPResponseError {
            throw error
        } catch {
            logger.error(
                "Unhandled error",
                metadata: ["http.request.method": "\(request.method)", "http.request.path": "\(request.uri.path)", "error": "\(error)"]
            )
            throw APIError(.internalServerError, code: "internal_error", message: "internal server error")
        }
    }

    private func map(_ error: HTTPError, request: Request) -> APIError {
        switch error.status {
        case .notFound:
            let methods = routes.methods(for: request.uri.path)
            if !methods.isEmpty, !methods.contains(request.method) {
                let allow = methods.map(\.rawValue).joined(separator: ", ")
                return APIError(
                    .methodNotAllowed,
                    code: "method_not_allowed",
                    message: "\(request.method) is not allowed on \(request.uri.path); use \(allow)",
                    headers: [.allow: allow]
                )
            }
            return APIError(.notFound, code: "not_found", message: "no route for \(request.method) \(request.uri.path)")
        case .contentTooLarge:
            return APIError(.contentTooLarge, code: "payload_too_large", message: error.body ?? "request body too large")
        default:
            let code = error.status.reasonPhrase.lowercased().split(separator: " ").joined(separator: "_")
            return APIError(error.status, code: code, message: error.body ?? error.status.reasonPhrase, headers: error.headers)
        }
    }
}
