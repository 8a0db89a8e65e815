/// Serving a `storm:`: each CCE answer that no scripted fault picked takes the next draw.
extension SimulatorState {
    /// The next draw as a fault to answer with (counted by kind), or nil for a normal answer.
    func stormFault() -> Scenario.Fault? {
        guard let storm else { return nil }
        let draw = storm.draw(using: &stormDice)
        if let kind = draw.kind { stormCounts[kind.rawValue, default: 0] += 1 }
        if draw.delay != nil { stormCounts["slow", default: 0] += 1 }
        return draw.fault(retryAfter: storm.retryAfter)
    }
}
