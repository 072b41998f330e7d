#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The OpenAPI document embedded in the binary (`API/openapi.json`), parsed once.
///
/// It is the one place where request, response and webhook payload schemas are written down:
/// `/openapi.json` serves it and `GET /events` takes each event's `data` schema from its
/// `components.schemas`, so the catalog cannot drift from the contract.
enum APIDocument {
    /// The document as embedded.
    static var bytes: [UInt8] { PackageResources.openapi_json }

    /// `components.schemas`, by name (empty if the document does not parse, which a test rules out).
    static let schemas: [String: JSONValue] = {
        guard case .object(let document)? = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)),
            case .object(let components)? = document["components"], case .object(let schemas)? = components["schemas"]
        else { return [:] }
        return schemas
    }()
}
