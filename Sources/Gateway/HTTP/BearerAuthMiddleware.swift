public import Hummingbird

/// Requires `Authorization: Bearer <admin token>` on the routes of the group it is added to.
///
/// A missing or wrong token gets 401 with `WWW-Authenticate: Bearer` and the JSON error body.
public struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: AdminToken

    public init(token: AdminToken) { self.token = token }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard token.accepts(authorization: request.headers[.authorization]) else {
            let missing = request.headers[.authorization] == nil
            throw APIError(
                .unauthorized,
                code: "unauthorized",
                message: missing
                    ? "this route needs Authorization: Bearer <admin token> (data-dir/admin-token, or auth.adminToken)"
                    : "the bearer token is not the admin token",
                headers: [.wwwAuthenticate: "Bearer"]
            )
        }
        return try await next(request, context)
    }
}
