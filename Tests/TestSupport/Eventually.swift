import Foundation

/// How much longer than written a bounded wait may last. Every wait in the suite is an upper bound
/// for something that normally happens at once, so a generous bound costs nothing when the code
/// works; it only keeps a saturated machine (two cores, a build or a benchmark beside the suite)
/// from turning slowness into a failure. `JOBHOOK_TEST_TIME_SCALE` overrides the default of 3.
public let testTimeScale: Double = {
    if let text = ProcessInfo.processInfo.environment["JOBHOOK_TEST_TIME_SCALE"], let value = Double(text), value > 0 {
        return value
    }
    return 3
}()

extension Duration {
    /// This bound, stretched by `testTimeScale`.
    public var scaledForTests: Duration { self * testTimeScale }
}

/// Polls `condition` until it holds or `timeout` (scaled by `testTimeScale`) passes; returns whether it held.
/// For things that happen on another thread or task, e.g. `#expect(await eventually { server.requests.count == 3 })`.
public func eventually(
    timeout: Duration = .seconds(5),
    interval: Duration = .milliseconds(10),
    _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout.scaledForTests)
    while true {
        if try await condition() { return true }
        if clock.now >= deadline { return false }
        try? await clock.sleep(for: interval)
    }
}
