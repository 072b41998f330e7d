import Foundation
import Gateway
import Testing

/// The admin token: generated once with mode 0600, reused, overridden by config, compared safely.
@Suite struct AdminTokenTests {
    @Test func firstStartCreatesAPrivateTokenFileThatLaterStartsReuse() throws {
        let directory = TestConfig.temporaryDirectory()
        let first = try AdminToken.load(configured: nil, dataDirectory: directory)
        #expect(first.wasGenerated)
        #expect(first.value.count >= 40)
        let attributes = try FileManager.default.attributesOfItem(atPath: "\(directory)/admin-token")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let second = try AdminToken.load(configured: nil, dataDirectory: directory)
        #expect(!second.wasGenerated)
        #expect(second.value == first.value)
    }

    @Test func aConfiguredTokenWinsAndNoFileIsWritten() throws {
        let directory = TestConfig.temporaryDirectory()
        let token = try AdminToken.load(configured: "from-config", dataDirectory: directory)
        #expect(token.value == "from-config")
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/admin-token"))
    }

    @Test func onlyTheExactBearerTokenIsAccepted() throws {
        let token = try AdminToken.load(configured: "s3cret-token", dataDirectory: TestConfig.temporaryDirectory())
        #expect(token.accepts(authorization: "Bearer s3cret-token"))
        #expect(token.accepts(authorization: "bearer s3cret-token"))
        #expect(!token.accepts(authorization: "Bearer s3cret-toke"))
        #expect(!token.accepts(authorization: "Bearer s3cret-token2"))
        #expect(!token.accepts(authorization: "Basic s3cret-token"))
        #expect(!token.accepts(authorization: nil))
    }
}
