public import Configuration
public import Hummingbird
import HTTPTypes
import HummingbirdCore
public import Logging

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Builds the whole gateway from configuration: the one seam shared by the executable and tests.
/// - Parameters:
///   - reader: The configuration providers (see ``ConfigurationSources``).
///   - logHandler: Where log lines go; `nil` picks stderr in the configured `log.format`.
/// - Throws: ``ConfigurationError`` for an invalid key; file-system errors for an unusable data dir.
///   - metrics: The instruments and the registry `/metrics` exports; `gateway serve` passes the one it
///     bootstrapped `MetricsSystem` with, tests let each app make its own.
public func buildApplication(
    reader: ConfigReader,
    logHandler: (@Sendable (String) -> any LogHandler)? = nil,
    metrics: GatewayMetrics = GatewayMetrics()
) async throws -> some ApplicationProtocol {
    let configuration = try GatewayConfiguration(reader: reader)
    var logger = Logger(label: "gateway", factory: logHandler ?? { JSONOrTextLogHandler.stderr(label: $0, format: configuration.log.format) })
    logger.logLevel = Logger.Level(rawValue: configuration.log.level) ?? .info
    return try await buildApplication(configuration: configuration, logger: logger, metrics: metrics)
}

/// Builds the gateway from an already validated configuration.
public func buildApplication(
    configuration: GatewayConfiguration, logger: Logger, metrics: GatewayMetrics = GatewayMetrics()
) async throws -> some ApplicationProtocol {
    try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
    let token = try AdminToken.load(configured: configuration.auth.adminToken, dataDirectory: configuration.dataDirectory)
    if token.wasGenerated { logAdminURL(token, configuration: configuration, logger: logger) }
    let admin = AdminParts()
    let webhooks = try await WebhookStack(
        configuration: configuration, logger: logger, events: admin.events, inspector: admin.inspectorAddress, metrics: metrics
    )
    let hub = BroadcastHub(configuration: configuration.broadcast, events: webhooks.dispatcher, logger: logger, metrics: metrics)
    let router = buildRouter(configuration: configuration, hub: hub, webhooks: webhooks, token: token, admin: admin, metrics: metrics, logger: logger)
    let upgrade = HubUpgrade(hub: hub, configuration: configuration.broadcast, logger: logger)
    return Application(
        router: router,
        server: GatewayServerChannel.builder(upgrade: upgrade),
        configuration: .init(address: .hostname(configuration.http.host, port: configuration.http.port), serverName: "gateway"),
        services: webhooks.services(hub: hub, statsInterval: configuration.delivery.statsInterval) + [hub],
        onServerRunning: { channel in admin.inspectorAddress.serverListening(on: channel.localAddress?.port ?? configuration.http.port) },
        logger: logger
    )
}

/// The router: CORS outermost (so error responses carry its headers too), error mapping, the UI's files, the routes.
func buildRouter(
    configuration: GatewayConfiguration,
    hub: BroadcastHub,
    webhooks: WebhookStack,
    token: AdminToken,
    admin: AdminParts = AdminParts(),
    metrics: GatewayMetrics = GatewayMetrics(),
    logger: Logger
) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RequestIDMiddleware())
    // Per-route request counts and durations, through the global `MetricsSystem` (`gateway serve` points it at `/metrics`).
    router.add(middleware: MetricsMiddleware())
    if let origin = configuration.http.corsAllowOrigin {
        router.add(
            middleware: CORSMiddleware(
                allowOrigin: origin == "*" ? .all : origin == "origin" ? .originBased : .custom(origin),
                allowHeaders: configuration.http.corsAllowHeaders.compactMap { HTTPField.Name($0) },
                allowMethods: configuration.http.corsAllowMethods.compactMap { HTTPRequest.Method($0) }
            )
        )
    }
    let routeTable = RouteTable()
    router.add(middleware: ErrorMiddleware(routes: routeTable, logger: logger))
    router.add(middleware: FileMiddleware(configuration.http.publicDirectory, searchForIndexHtml: true, logger: logger))
    let maxBody = configuration.http.maxBodyBytes
    BroadcastRoutes(
        hub: hub, maxBodyBytes: maxBody, token: configuration.auth.protectBroadcast ? token : nil, dispatcher: webhooks.dispatcher,
        webhookStatistics: { webhooks.statistics() }
    ).register(on: router)
    WebhookRoutes(registry: webhooks.registry, token: token, maxBodyBytes: maxBody, events: admin.events).register(on: router)
    DeliveryRoutes(engine: webhooks.engine, token: token, maxBodyBytes: maxBody).register(on: router)
    WebSocketRoutes().register(on: router)
    APIDocumentRoutes(publicURL: configuration.http.publicURL, assetsURL: configuration.http.docsAssetsURL).register(on: router)
    HealthRoutes(webhooks: webhooks).register(on: router)
    MetricsRoutes(metrics: metrics, hub: hub, webhooks: webhooks).register(on: router)
    InspectorRoutes(inspector: admin.inspector, token: token).register(on: router)
    AdminStreamRoutes(events: admin.events, token: token) {
        AdminJSON.encode(StatsResponse(hub.statistics(), webhooks: webhooks.statistics()))
    }.register(on: router)
    routeTable.load(router.routes.map { ("\($0.path)", $0.method) })
    return router
}

/// The one log line that carries the token: the UI URL, when this start created the token.
private func logAdminURL(_ token: AdminToken, configuration: GatewayConfiguration, logger: Logger) {
    let host = configuration.http.host == "0.0.0.0" || configuration.http.host == "::" ? "localhost" : configuration.http.host
    logger.notice(
        "Admin token created; open the UI with it (shown once; it is stored in the data directory)",
        metadata: ["ui.url": "http://\(host):\(configuration.http.port)/?token=\(token.value)", "auth.token.file": "\(configuration.dataDirectory)/\(AdminToken.fileName)"]
    )
}

/// What the browser UI's admin features share: the live event stream, the request inspector, and
/// the address that lets deliveries reach that inspector over loopback.
struct AdminParts: Sendable {
    let events = AdminEventStream()
    let inspectorAddress = InspectorAddress()
    let inspector: RequestInspector

    init() {
        inspector = RequestInspector(events: events)
    }
}
