import SystemPackage

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The bearer token that guards the admin routes.
///
/// From `auth.adminToken` when configured; otherwise read from `<data-dir>/admin-token`, which the
/// first start creates with mode 0600. The value never goes into a log line except the one-time
/// "open the UI" URL printed when it is created.
public struct AdminToken: Sendable {
    /// The file name inside the data directory.
    public static let fileName = "admin-token"

    public let value: String
    /// `true` when this start created the token file.
    public let wasGenerated: Bool

    /// Loads or creates the token.
    /// - Parameters:
    ///   - configured: `auth.adminToken`, which wins when set.
    ///   - dataDirectory: Where `admin-token` lives.
    public static func load(configured: String?, dataDirectory: String) throws -> AdminToken {
        if let configured { return AdminToken(value: configured, wasGenerated: false) }
        let path = "\(dataDirectory)/\(fileName)"
        if let existing = try? String(contentsOfFile: path, encoding: .utf8) {
            let token = existing.filter { !$0.isWhitespace }
            if !token.isEmpty { return AdminToken(value: token, wasGenerated: false) }
        }
        return try generate(in: dataDirectory)
    }

    /// Writes a new random token to `<data-dir>/admin-token` (mode 0600, atomically), replacing any.
    /// A running gateway keeps the token it read at start until it restarts.
    public static func generate(in dataDirectory: String) throws -> AdminToken {
        let base64 = Data(Secrets.randomBytes(32)).base64EncodedString()
        let token = "gw_" + String(base64.compactMap { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 == "=" ? nil : $0 })
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let files = AtomicFile(directory: dataDirectory, permissions: [.ownerReadWrite])
        try files.write(Array((token + "\n").utf8), to: fileName)
        return AdminToken(value: token, wasGenerated: true)
    }

    /// Whether an `Authorization` header value carries this token (`Bearer <token>`), compared in constant time.
    public func accepts(authorization: String?) -> Bool {
        guard let authorization, authorization.count > 7, authorization.prefix(7).lowercased() == "bearer " else { return false }
        return Secrets.constantTimeEquals(String(authorization.dropFirst(7)).trimmingSpaces, value)
    }
}
