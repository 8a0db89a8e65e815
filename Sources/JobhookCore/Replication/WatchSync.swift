public import Logging
public import ServiceLifecycle

/// On a shared store, the working replica follows the watches every replica's API adds and removes:
/// once a second it makes its pollers follow exactly the store's `watching` watches
/// (`WatchList.sync`). A watch added on a standby is polled within a second; one removed there stops
/// being polled as fast. Standbys skip the rounds: their pollers do not poll.
public struct WatchSync: Service {
    let watches: WatchList
    let gate: ReplicaGate
    let every: Duration
    let logger: Logger

    public init(watches: WatchList, gate: ReplicaGate, every: Duration = .seconds(1), logger: Logger) {
        self.watches = watches
        self.gate = gate
        self.every = every
        self.logger = logger
    }

    public func run() async {
        var failing = false
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            if gate.mayWork {
                do {
                    try await watches.sync()
                    failing = false
                } catch {
                    if !failing { logger.warning("cannot read the watches from the store; trying again", metadata: ["error": "\(error)"]) }
                    failing = true
                }
            }
            _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: every) }
        }
    }
}
