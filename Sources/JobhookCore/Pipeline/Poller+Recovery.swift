extension Poller {
    /// Undoes the poller's memory of `uids` after the store failed to record them: their phases go
    /// back to what the store knows, so the next poll reports the same changes again.
    public func forget(_ uids: Set<String>, restoring known: [String: String]) {
        for uid in uids {
            phases[uid] = known[uid]
        }
    }
}
