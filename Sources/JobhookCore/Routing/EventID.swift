import Crypto
import Foundation

/// The `event.id` / `webhook-id` of one change for one rule and receiver. Derived only from what
/// identifies the transition (not from when it was detected), so the same change gets the same id
/// on every retry, after a restart, and in another process.
public enum EventID {
    /// `evt_` + the first 32 hex digits of SHA-256 over the change key, rule and receiver.
    public static func make(change: PhaseChange, rule: String, receiver: String) -> String {
        make(key: change.key, rule: rule, receiver: receiver)
    }

    public static func make(key: String, rule: String, receiver: String) -> String {
        // NUL separators: no name can make two different triples hash the same text.
        let digest = SHA256.hash(data: Data("\(key)\u{0}\(rule)\u{0}\(receiver)".utf8))
        let hex = digest.map { byte in
            let s = String(byte, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined()
        return "evt_" + hex.prefix(32)
    }
}
