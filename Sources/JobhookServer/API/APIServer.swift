public import CCE
public import JobhookCore
public import Hummingbird
public import Logging
import HummingbirdCore
import NIOCore

/// The daemon's HTTP API (`server.listen`): watches, the delivery queue, probes and `/metrics`.
/// Routes live in `APIServer+Routes.swift`; JSON shapes in `WatchBody` and `DeliveryBody`.
public struct APIServer: Sendable {
    /// Requests bodies are tiny (`{"job_id": …}`); anything bigger is refused with 413.
    public static let maxBodyBytes = 64 * 1024

    public var address: ListenAddress
    public var token: Secret?
    public var hooks: Hooks
    public var logger: Logger
    /// How long a connection may sit without a whole request head, a body part or a response
    /// going out. Hummingbird's idle timer counts decoded HTTP parts, not bytes, so a client that
    /// trickles a header byte by byte is closed this long after it connected.
    public var idleTimeout: Duration = .seconds(10)
    /// How long `POST /v1/watches` waits for its whole body (408 after). The idle timer alone does
    /// not bound it: every trickled body byte counts as activity.
    public var bodyTimeout: Duration = .seconds(10)
    /// Connections served at once; more wait in the kernel's accept queue. Each slow client holds
    /// one for at most `idleTimeout`, but without a cap many of them could take every file
    /// descriptor the process has, and polls and deliveries need those too.
    public var maxConnections = 256
    /// The SMN intake route (`intake.smn.path`) and its handler; nil: no such route.
    public var intake: (handler: SMNIntake, path: String)?

    /// Refuses a public listener without a token (see `validateListen`).
    public init(listen: String, token: Secret?, hooks: Hooks, logger: Logger) throws(ListenError) {
        address = try Self.validateListen(address: listen, token: token)
        self.token = token
        self.hooks = hooks
        self.logger = logger
    }

    /// `/v1/*` can add watches and re-drive deliveries, so it may face the network only behind a token.
    @discardableResult
    public static func validateListen(address: String, token: Secret?) throws(ListenError) -> ListenAddress {
        let parsed = try ListenAddress(parsing: address)
        if !parsed.isLoopback, token?.isEmpty ?? true {
            throw ListenError(address: address, """
                is not a loopback address, so the API would be open to the network: set server.token \
                (e.g. token: ${JOBHOOK_API_TOKEN}) or listen on 127.0.0.1
                """)
        }
        return parsed
    }

    public func router() -> Hummingbird.Router<BasicRequestContext> {
        let router = Hummingbird.Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.middlewares.add(HeadResponseMiddleware())
        router.middlewares.add(APIErrorMiddleware())
        router.middlewares.add(BearerAuthMiddleware(token: token))
        if let intake {
            IntakeRoute(intake: intake.handler, path: intake.path, bodyTimeout: bodyTimeout).add(to: router)
        }
        addRoutes(to: router)
        return router
    }

    /// The server as a ServiceLifecycle `Service`. `onServerRunning` receives the bound port (the
    /// real one when `server.listen` says port 0).
    public func application(
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> Application<RouterResponder<BasicRequestContext>> {
        let logger = logger
        let host = address.host
        return Application(
            router: router(),
            server: .http1(configuration: .init(additionalChannelHandlers: [MalformedRequestHandler()], idleTimeout: TimeAmount(idleTimeout))),
            configuration: ApplicationConfiguration(
                address: .hostname(address.host, port: address.port), serverName: nil,
                availableConnectionsDelegate: MaximumAvailableConnections(maxConnections)
            ),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("HTTP API listening", metadata: ["address": "\(host):\(port)"])
                await onServerRunning(port)
            },
            logger: logger
        )
    }
}
