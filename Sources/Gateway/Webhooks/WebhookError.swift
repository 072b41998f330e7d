/// Every failure of the webhook domain: one extensible struct over a private code, with context.
///
/// The HTTP layer maps ``kind`` to a status (see `APIError+Webhooks`); nothing else looks inside.
public struct WebhookError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, as a caller acts on it.
    public enum Kind: Sendable, Equatable {
        /// No such subscription (or delivery).
        case notFound
        /// A field failed validation; `field` names it.
        case invalidField
        /// `If-Match` did not match the stored revision.
        case revisionMismatch
        /// A configured limit was reached (subscriptions count).
        case limitReached
        /// The file system refused a write; nothing was changed.
        case storageFailure
    }

    public let kind: Kind
    /// The offending field, for ``Kind/invalidField``.
    public let field: String?
    public let message: String

    private init(_ kind: Kind, field: String? = nil, _ message: String) {
        self.kind = kind
        self.field = field
        self.message = message
    }

    public static func notFound(_ what: String, id: String) -> Self { .init(.notFound, "no \(what) with id '\(id)'") }
    public static func invalid(_ field: String, _ problem: String) -> Self { .init(.invalidField, field: field, "\(field): \(problem)") }
    public static func revisionMismatch(expected: String, current: String) -> Self {
        .init(.revisionMismatch, "If-Match \(expected) does not match the current ETag \(current); fetch the subscription again")
    }
    public static func limitReached(_ field: String, _ problem: String) -> Self { .init(.limitReached, field: field, "\(field): \(problem)") }
    public static func storage(_ problem: String) -> Self { .init(.storageFailure, problem) }

    public var description: String { message }
}
