public import Foundation
import Crypto

/// A GitHub-style body signature: `<prefix><hex HMAC-SHA256 of the body>` in a header of the
/// receiver's choosing (`signing.hmac`).
public enum HMACBodySignature {
    public static func sign(secret: String, body: Data) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return mac.map { String(format: "%02x", $0) }.joined()
    }
}
