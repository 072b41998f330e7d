import Logging
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension FileWebhookRegistry {
    /// Reads every `*.json` file, validates it like a request, and replaces the index.
    ///
    /// A file that fails is moved to `webhooks/invalid/` (never deleted) and logged with the reason;
    /// stray temp files from a crash mid-write are removed. Runs on the I/O thread, after any write in progress.
    public func reload() async throws -> RegistryLoadReport {
        try await serialized { try self.loadAll() }
    }

    private func loadAll() throws -> RegistryLoadReport {
        var report = RegistryLoadReport(loaded: 0, quarantined: [], strayTempFiles: 0)
        var fresh = Index()
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        for name in names {
            if name.hasPrefix(AtomicFile.tempPrefix) {
                if name.contains(".tmp-"), (try? files.remove(name)) == true { report.strayTempFiles += 1 }
                continue
            }
            guard name.hasSuffix(".json") else { continue }
            do {
                let subscription = try validatedFile(name)
                fresh.put(subscription)
            } catch {
                let reason = "\(error)"
                try? files.moveAside(name, into: "invalid", suffix: "\(Int(Date().timeIntervalSince1970))")
                logger.warning("Subscription file quarantined", metadata: ["webhook.registry.file": "\(name)", "reason": "\(reason)"])
                report.quarantined.append(.init(file: name, reason: reason))
            }
        }
        report.loaded = fresh.byID.count
        index.withLock { $0 = fresh }
        return report
    }

    /// Decodes one file and checks it against the same rules as a request.
    private func validatedFile(_ name: String) throws -> WebhookSubscription {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name)"))
        let subscription: WebhookSubscription
        do {
            subscription = try SubscriptionFileCodec.decode(Array(data))
        } catch {
            throw WebhookError.invalid("file", "not a valid subscription document (\(error))")
        }
        guard subscription.version <= WebhookSubscription.formatVersion else {
            throw WebhookError.invalid("version", "format \(subscription.version) is newer than this gateway understands")
        }
        guard Identifier.isValid(subscription.id, prefix: "wh_"), name == SubscriptionFileCodec.fileName(for: subscription.id) else {
            throw WebhookError.invalid("id", "'\(subscription.id)' does not match the file name \(name)")
        }
        _ = try rules.url(subscription.url, checkAddress: false)
        _ = try rules.events(subscription.events)
        _ = try rules.secret(subscription.secret)
        _ = try rules.headers(subscription.headers)
        _ = try rules.delivery(subscription.delivery)
        return subscription
    }
}
