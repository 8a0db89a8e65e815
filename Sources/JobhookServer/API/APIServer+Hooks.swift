import Foundation
public import JobhookCore

extension APIServer {
    /// How the API reaches the rest of the daemon.
    /// `Hooks(engine:)` goes through the watch list, so added watches are polled.
    public struct Hooks: Sendable {
        /// True when the job is now watched for the first time (201), false when already known (200).
        /// `account` is one of `accounts` (the route checks it).
        public var addWatch: @Sendable (_ jobID: String, _ account: String) async throws -> Bool
        /// The CCE accounts' names, in config order: `POST /v1/watches` names one when there are several.
        public var accounts: [String]
        /// False when the job is unknown (404).
        public var removeWatch: @Sendable (_ jobID: String) async throws -> Bool
        public var watches: @Sendable () async throws -> [Watch]
        public var watch: @Sendable (_ jobID: String) async throws -> Watch?
        public var deliveries: @Sendable (_ state: Delivery.State?, _ limit: Int) async throws -> [Delivery]
        /// False when the id is unknown (404). The daemon should also wake the dispatcher.
        public var retryDelivery: @Sendable (_ id: String, _ force: Bool) async throws -> RetryOutcome
        /// nil when ready; otherwise why not (503 on `/readyz`).
        public var readiness: @Sendable () async -> String?
        /// Prometheus text exposition for `/metrics`.
        public var metrics: @Sendable () async -> String
        /// `POST /-/reload`: nil on success, else the problems; nil hook = reloading not offered.
        public var reload: (@Sendable () async -> String?)?
        /// `/v1/silences`: the state store's silences (nil: not offered, 404).
        public var silenceStore: (any DeliveryStore)?

        public init(
            addWatch: @escaping @Sendable (String, String) async throws -> Bool,
            accounts: [String] = [CCEAccount.defaultName],
            removeWatch: @escaping @Sendable (String) async throws -> Bool,
            watches: @escaping @Sendable () async throws -> [Watch],
            watch: @escaping @Sendable (String) async throws -> Watch?,
            deliveries: @escaping @Sendable (Delivery.State?, Int) async throws -> [Delivery],
            retryDelivery: @escaping @Sendable (String, Bool) async throws -> RetryOutcome,
            readiness: @escaping @Sendable () async -> String? = { nil },
            metrics: @escaping @Sendable () async -> String = { "" }
        ) {
            self.addWatch = addWatch
            self.accounts = accounts
            self.removeWatch = removeWatch
            self.watches = watches
            self.watch = watch
            self.deliveries = deliveries
            self.retryDelivery = retryDelivery
            self.readiness = readiness
            self.metrics = metrics
        }

        /// The engine's watch list and store: watches added here have source `api` and are polled at
        /// once; a retried delivery wakes the dispatcher.
        public init(engine: Engine) {
            let store = engine.store
            self.init(
                addWatch: { try await engine.watches.add($0, source: .api, account: $1).created },
                accounts: engine.pollers.map(\.account),
                removeWatch: { try await engine.watches.remove($0) },
                watches: { try await store.watches() },
                watch: { try await store.watch($0) },
                deliveries: { state, limit in
                    // last_error may quote a receiver's answer: hidden as `GET /v1/deliveries` shows it.
                    let redactor = Redactor(config: engine.config.current)
                    return try await store.deliveries(state: state, limit: limit).map { delivery in
                        var shown = delivery
                        shown.lastError = delivery.lastError.map(redactor.text)
                        return shown
                    }
                },
                retryDelivery: { id, force in
                    let outcome = try await store.retry(id, force: force, now: Date())
                    if outcome == .requeued { await engine.dispatcher.wake() }
                    return outcome
                }
            )
            silenceStore = store
        }
    }
}
