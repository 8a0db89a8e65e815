/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
/// For things that happen on another thread or task, e.g. `#expect(await eventually { server.requests.count == 3 })`.
public func eventually(
    timeout: Duration = .seconds(5),
    interval: Duration = .milliseconds(10),
    _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while true {
        if try await condition() { return true }
        if clock.now >= deadline { return false }
        try? await clock.sleep(for: interval)
    }
}
