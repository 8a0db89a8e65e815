/// The injected clock, opened once so the poller can work in plain `Duration`s since its start
/// (an existential `any Clock` hands out instants that cannot be compared or stored generically).
struct PollerClock: Sendable {
    /// Time elapsed since the poller was created.
    let now: @Sendable () -> Duration
    /// Sleeps until the given offset since the poller was created; throws when cancelled.
    let sleepUntil: @Sendable (Duration) async throws -> Void

    init(_ clock: any Clock<Duration>) {
        self = Self.open(clock)
    }

    private init(now: @escaping @Sendable () -> Duration, sleepUntil: @escaping @Sendable (Duration) async throws -> Void) {
        self.now = now
        self.sleepUntil = sleepUntil
    }

    private static func open<C: Clock<Duration>>(_ clock: C) -> PollerClock {
        let start = clock.now
        return PollerClock(
            now: { start.duration(to: clock.now) },
            sleepUntil: { offset in try await clock.sleep(until: start.advanced(by: offset), tolerance: nil) }
        )
    }
}
