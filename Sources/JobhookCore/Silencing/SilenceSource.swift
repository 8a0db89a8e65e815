public import Foundation
import Synchronization

/// The silences the pipeline applies, re-read from the state store at most once a second: one added
/// by `jobhook silence add` in another process (or through the API) applies within a second, and a
/// poll does not cost a read. When the store cannot be read, the last set stays in force.
public final class SilenceSource: Sendable {
    private let store: any DeliveryStore
    private let state = Mutex<(loadedAt: Date?, set: SilenceSet)>((nil, .empty))
    public static let refreshInterval: TimeInterval = 1

    public init(store: any DeliveryStore) {
        self.store = store
    }

    public func current(now: Date) async -> SilenceSet {
        let cached = state.withLock { $0 }
        if let loadedAt = cached.loadedAt, abs(now.timeIntervalSince(loadedAt)) < Self.refreshInterval { return cached.set }
        guard let silences = try? await store.silences(now: now, includingEnded: false) else { return cached.set }
        let set = SilenceSet(silences)
        state.withLock { $0 = (now, set) }
        return set
    }

    /// Forgets the cached set (a silence was added or expired in this process).
    public func invalidate() {
        state.withLock { $0.loadedAt = nil }
    }
}
