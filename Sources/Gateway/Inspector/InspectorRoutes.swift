public import Hummingbird

/// The Inspector's routes: `POST /inspect/{bin}` (open: the bin id is the secret part of the URL) and
/// the token-protected `/inspector/bins` to create, list, read and delete bins.
public struct InspectorRoutes<Context: RequestContext>: Sendable {
    let inspector: RequestInspector
    let token: AdminToken

    public init(inspector: RequestInspector, token: AdminToken) {
        self.inspector = inspector
        self.token = token
    }

    /// `POST /inspector/bins` body.
    struct CreateBin: Decodable {
        var secret: String?
    }

    /// A bin with its requests.
    struct BinDetail: ResponseEncodable {
        var bin: RequestInspector.BinView
        var requests: [RequestInspector.InspectedRequest]

        func encode(to encoder: any Encoder) throws {
            try bin.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(requests, forKey: .requests)
        }

        enum Keys: String, CodingKey { case requests }
    }

    /// `{"data": [bins]}`.
    struct BinList: ResponseEncodable {
        var data: [RequestInspector.BinView]
    }

    /// What a recorded request is answered with.
    struct Recorded: ResponseEncodable {
        var received = true
        var requestID: String

        enum CodingKeys: String, CodingKey {
            case received
            case requestID = "request_id"
        }
    }

    public func register(on router: Router<Context>) {
        let inspector = inspector
        router.post("/inspect/{bin}") { request, context in
            let bin = try context.parameters.require("bin")
            let body = try await request.collectBody(limit: inspector.limits.maxBodyBytes)
            let headers = request.headers.map { (name: $0.name.canonicalName, value: $0.value) }
            guard let recorded = inspector.record(binID: bin, method: request.method.rawValue, headers: headers, body: Array(body.readableBytesView))
            else { throw APIError(.notFound, code: "not_found", message: "no inspector bin \(bin) (bins expire after an hour without requests)") }
            return Recorded(requestID: recorded.id)
        }
        let bins = router.group("/inspector/bins").add(middleware: BearerAuthMiddleware(token: token))
        bins.post { request, context in
            let body = try await request.decodeJSONIfPresent(CreateBin.self, limit: 4096)
            if let secret = body?.secret, (try? WebhookSigner.signature(secret: secret, id: "x", timestamp: 0, body: [])) == nil {
                throw APIError.invalidField("secret", "must be a whsec_ secret (base64 after the prefix)")
            }
            return EditedResponse(status: .created, response: inspector.create(secret: body?.secret))
        }
        bins.get { _, _ in BinList(data: inspector.list()) }
        bins.get("/{id}") { _, context in
            let id = try context.parameters.require("id")
            guard let found = inspector.bin(id: id) else { throw APIError(.notFound, code: "not_found", message: "no inspector bin \(id)") }
            return BinDetail(bin: found.bin, requests: found.requests)
        }
        bins.delete("/{id}") { _, context in
            let id = try context.parameters.require("id")
            guard inspector.delete(id: id) else { throw APIError(.notFound, code: "not_found", message: "no inspector bin \(id)") }
            return Response(status: .noContent)
        }
    }
}

extension RequestInspector.BinView: ResponseEncodable {}
