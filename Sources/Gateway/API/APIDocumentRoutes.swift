public import Hummingbird
import NIOCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `GET /openapi.json`, `GET /docs` (Swagger UI) and `GET /redoc` (ReDoc).
///
/// The document is `API/openapi.json`, embedded in the binary at build time: the one source of truth
/// for the REST routes and the webhooks we send. At start-up its `info.version` placeholder becomes
/// this build's version and its `servers` entry the configured `http.publicURL`; the bytes are then
/// served as they are. The two pages load their scripts from `http.docsAssetsURL` (a CDN by default,
/// as FastAPI does), so an offline site can serve its own copy.
public struct APIDocumentRoutes<Context: RequestContext>: Sendable {
    /// The document as served.
    let document: ByteBuffer
    let swaggerPage: ByteBuffer
    let redocPage: ByteBuffer

    /// - Parameters:
    ///   - publicURL: The server URL to name in the document; `nil` keeps the relative `/`.
    ///   - assetsURL: Base URL of `swagger-ui-dist@5/…` and `redoc@2/…`.
    public init(publicURL: String?, assetsURL: String) {
        document = ByteBuffer(bytes: Self.document(version: GatewayVersion.current, publicURL: publicURL))
        let base = Self.htmlEscaped(assetsURL.hasSuffix("/") ? String(assetsURL.dropLast()) : assetsURL)
        swaggerPage = ByteBuffer(string: Self.swaggerPage(assets: base))
        redocPage = ByteBuffer(string: Self.redocPage(assets: base))
    }


    /// Adds the routes to `router`.
    public func register(on router: Router<Context>) {
        let document = document, swaggerPage = swaggerPage, redocPage = redocPage
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: document))
        }
        router.get("/docs") { _, _ in Self.html(swaggerPage) }
        router.get("/redoc") { _, _ in Self.html(redocPage) }
    }

    private static func html(_ page: ByteBuffer) -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: page))
    }

    /// The embedded document with the build's version and the configured server.
    static func document(version: String, publicURL: String?) -> [UInt8] {
        var text = String(decoding: APIDocument.bytes, as: UTF8.self)
        if let range = text.firstRange(of: #""version": "0.0.0""#) {
            text.replaceSubrange(range, with: #""version": \#(jsonString(version))"#)
        }
        if let publicURL, let range = text.firstRange(of: #""url": "/""#) {
            text.replaceSubrange(range, with: #""url": \#(jsonString(publicURL))"#)
        }
        return Array(text.utf8)
    }

    /// `value` as a JSON string literal.
    private static func jsonString(_ value: String) -> String {
        (try? JSONEncoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }

    private static func htmlEscaped(_ value: String) -> String {
        value.replacing("&", with: "&amp;").replacing("\"", with: "&quot;").replacing("<", with: "&lt;").replacing(">", with: "&gt;")
    }

    static func swaggerPage(assets: String) -> String {
        page(
            title: "Swagger UI",
            head: #"<link rel="stylesheet" href="\#(assets)/swagger-ui-dist@5/swagger-ui.css">"#,
            body: """
                <div id="swagger-ui"></div>
                <script src="\(assets)/swagger-ui-dist@5/swagger-ui-bundle.js" crossorigin></script>
                <script>
                  window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true, persistAuthorization: true });
                </script>
                """
        )
    }

    static func redocPage(assets: String) -> String {
        page(
            title: "ReDoc",
            head: "<style>body { margin: 0; padding: 0; }</style>",
            body: """
                <redoc spec-url="/openapi.json"></redoc>
                <script src="\(assets)/redoc@2/bundles/redoc.standalone.js" crossorigin></script>
                """
        )
    }

    /// The HTML shell both pages share (no favicon request: the gateway has none).
    private static func page(title: String, head: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>gateway API — \(title)</title>
          <link rel="icon" href="data:,">
          \(head)
        </head>
        <body>
        \(body)
        </body>
        </html>

        """
    }
}
