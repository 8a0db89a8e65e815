/// A plain webhook (no `preset:`): the receiver's own `body`, or jobhook's event document; status
/// rules decide the outcome. A machine on the other end needs no ordering or pacing, so several
/// attempts may be in flight and there is no default rate limit.
struct Generic: Preset {
    let name = "generic"
    let sendsMessage = false
    let hasTitle = false
    let defaultRateLimits: [RateLimit] = []
    let maxInFlight = 8

    /// Not used by the renderer (plain webhooks send the event document); a bare `text` object for
    /// anyone rendering a message through it.
    func body(_ message: PresetMessage) -> String {
        JSONText.object([("text", JSONText.quote(message.text))])
    }
}
