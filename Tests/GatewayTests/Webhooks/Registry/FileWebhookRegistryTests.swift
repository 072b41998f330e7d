import Foundation
import Gateway
import Logging
import Synchronization
import Testing

/// The registry's files on a real temp directory: atomic writes, quarantine, reload.
@Suite struct FileWebhookRegistryTests {
    private struct InjectedFailure: Error {}

    private func makeRegistry(
        _ directory: String,
        beforeRename: @escaping @Sendable (String) throws -> Void = { _ in }
    ) async throws -> FileWebhookRegistry {
        let configuration = try GatewayConfiguration(reader: TestConfig.reader(TestAdmin.overrides))
        return try await FileWebhookRegistry(
            directory: directory,
            rules: SubscriptionRules(limits: configuration.webhooks),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            beforeRename: beforeRename
        )
    }

    @Test func whetherAnEventTypeIsWantedFollowsEveryWriteAndAgreesWithTheMatches() async throws {
        let directory = TestConfig.temporaryDirectory()
        let registry = try await makeRegistry(directory)
        let types = ["message-broadcast", "client-connected", "client-disconnected", "webhook.disabled", "delivery.exhausted"]
        func expectAgreement(_ step: String, wanted: Set<String>) {
            for type in types {
                #expect(registry.hasSubscriptions(for: type) == !registry.subscriptions(for: type).isEmpty, "\(step): \(type)")
                #expect(registry.hasSubscriptions(for: type) == wanted.contains(type), "\(step): \(type)")
            }
        }
        expectAgreement("empty", wanted: [])
        let a = try await registry.create(WebhookInput(url: "https://h.example/a", events: ["client-connected", "client-connected"]))
        expectAgreement("one type, named twice", wanted: ["client-connected"])
        let all = try await registry.create(WebhookInput(url: "https://h.example/all", events: ["*"]))
        expectAgreement("wildcard (not operational events)", wanted: ["message-broadcast", "client-connected", "client-disconnected"])
        _ = try await registry.update(id: all.id, with: WebhookInput(enabled: false), ifMatch: nil)
        expectAgreement("wildcard disabled", wanted: ["client-connected"])
        _ = try await registry.update(id: a.id, with: WebhookInput(events: ["webhook.disabled"]), ifMatch: nil)
        expectAgreement("events replaced", wanted: ["webhook.disabled"])
        try await registry.disable(id: a.id, reason: "test")
        expectAgreement("disabled by the engine", wanted: [])
        _ = try await registry.update(id: all.id, with: WebhookInput(enabled: true), ifMatch: nil)
        try await registry.delete(id: a.id)
        expectAgreement("re-enabled, other deleted", wanted: ["message-broadcast", "client-connected", "client-disconnected"])
        _ = try await registry.reload()
        expectAgreement("reloaded", wanted: ["message-broadcast", "client-connected", "client-disconnected"])
        try await registry.delete(id: all.id)
        expectAgreement("all deleted", wanted: [])
        try await registry.shutdown()
    }

    @Test func aFailureBetweenWriteAndRenameLeavesTheOldFile() async throws {
        let directory = TestConfig.temporaryDirectory()
        let failNext = FailSwitch()
        let registry = try await makeRegistry(directory) { _ in if failNext.take() { throw InjectedFailure() } }
        let created = try await registry.create(WebhookInput(url: "https://h.example/a", description: "old"))
        let path = "\(directory)/\(created.id).json"
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        failNext.arm()
        await #expect(throws: WebhookError.self) {
            _ = try await registry.update(id: created.id, with: WebhookInput(description: "new"), ifMatch: nil)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(registry.subscription(id: created.id)?.description == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["\(created.id).json"])
        try await registry.shutdown()
    }

    @Test func badFilesAreQuarantinedStrayTempFilesRemovedAndGoodOnesLoaded() async throws {
        let directory = TestConfig.temporaryDirectory()
        let first = try await makeRegistry(directory)
        let good = try await first.create(WebhookInput(url: "https://h.example/good"))
        try await first.shutdown()
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: "\(directory)/wh_broken.json"))
        var wrongID = try String(contentsOfFile: "\(directory)/\(good.id).json", encoding: .utf8)
        wrongID = wrongID.replacingOccurrences(of: good.id, with: "wh_00000000000000000000000000")
        try wrongID.write(toFile: "\(directory)/wh_other.json", atomically: false, encoding: .utf8)
        try Data("partial".utf8).write(to: URL(fileURLWithPath: "\(directory)/.\(good.id).json.tmp-123"))

        let second = try await makeRegistry(directory)
        #expect(second.count == 1)
        #expect(second.subscription(id: good.id) != nil)
        let quarantined = try FileManager.default.contentsOfDirectory(atPath: "\(directory)/invalid")
        #expect(quarantined.count == 2)
        #expect(quarantined.contains { $0.hasPrefix("wh_broken.json.") })
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/.\(good.id).json.tmp-123"))
        try await second.shutdown()
    }

    @Test func reloadPicksUpAnEditedFileWithTheSameValidation() async throws {
        let directory = TestConfig.temporaryDirectory()
        let registry = try await makeRegistry(directory)
        let created = try await registry.create(WebhookInput(url: "https://h.example/a", description: "before"))
        let path = "\(directory)/\(created.id).json"
        let edited = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "\"before\"", with: "\"after\"")
        try edited.write(toFile: path, atomically: true, encoding: .utf8)
        let report = try await registry.reload()
        #expect(report.loaded == 1)
        #expect(registry.subscription(id: created.id)?.description == "after")
        let broken = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "https://h.example/a", with: "ftp://x")
        try broken.write(toFile: path, atomically: true, encoding: .utf8)
        let second = try await registry.reload()
        #expect(second.loaded == 0)
        #expect(second.quarantined.first?.reason.contains("url") == true)
        try await registry.shutdown()
    }

    @Test func filesArePrettyJSONWithAFormatVersion() async throws {
        let directory = TestConfig.temporaryDirectory()
        let registry = try await makeRegistry(directory)
        let created = try await registry.create(WebhookInput(url: "https://h.example/a", metadata: ["team": "ops"]))
        let text = try String(contentsOfFile: "\(directory)/\(created.id).json", encoding: .utf8)
        #expect(text.contains("\n  \"version\" : 1"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["secret"] as? String == created.secret)
        #expect((object["delivery"] as? [String: Any])?["ordering"] as? String == "unordered")
        try await registry.shutdown()
    }

    @Test func subscriptionsForAnEventAreTheEnabledOnesThatWantIt() async throws {
        let registry = try await makeRegistry(TestConfig.temporaryDirectory())
        let all = try await registry.create(WebhookInput(url: "https://h.example/all"))
        let some = try await registry.create(WebhookInput(url: "https://h.example/some", events: ["client-connected"]))
        _ = try await registry.create(WebhookInput(url: "https://h.example/off", enabled: false))
        #expect(registry.subscriptions(for: "client-connected").map(\.id) == [all.id, some.id])
        #expect(registry.subscriptions(for: "message-broadcast").map(\.id) == [all.id])
        try await registry.shutdown()
    }
}

/// A one-shot switch for fault injection.
final class FailSwitch: Sendable {
    private let armed = Mutex(false)
    func arm() { armed.withLock { $0 = true } }
    func take() -> Bool { armed.withLock { value in defer { value = false }; return value } }
}
