import Foundation
import Testing
import TestSupport

/// Checks SMN envelopes the way a subscriber would, with tools that share no code with the simulator:
/// the string to sign is rebuilt here from the reference's rule, and `openssl` verifies the signature
/// with the public key of the certificate.
enum SMNOpenSSL {
    /// The reference's v1 string to sign, from the envelope's JSON fields.
    static func stringToSign(_ envelope: [String: Any]) -> String {
        let type = envelope["type"] as? String ?? ""
        let keys = type == "Notification"
            ? ["message", "message_id", "subject", "timestamp", "topic_urn", "type"]
            : ["message", "message_id", "subscribe_url", "timestamp", "topic_urn", "type"]
        return keys.compactMap { key -> String? in
            let value = envelope[key] as? String ?? ""
            if key == "subject", value.isEmpty { return nil }
            return "\(key)\n\(value)\n"
        }.joined()
    }

    /// Whether `openssl dgst -sha256 -verify` accepts the envelope's signature over `text` (default:
    /// the envelope's string to sign) with the public key of `certificatePEM`.
    static func verifies(_ envelope: [String: Any], certificatePEM: String, text: String? = nil) async throws -> Bool {
        let dir = try TempDirectory("smn-openssl")
        defer { dir.cleanUp() }
        let cert = try dir.write("cert.pem", certificatePEM)
        let extract = try ChildProcess("/usr/bin/openssl", ["x509", "-pubkey", "-noout", "-in", cert])
        #expect(await extract.waitForExit() == 0, "openssl x509: \(extract.stderr)")
        let pub = try dir.write("pub.pem", extract.stdout)
        let data = dir.file("data.txt")
        try Data((text ?? stringToSign(envelope)).utf8).write(to: URL(fileURLWithPath: data))
        let signature = try #require(Data(base64Encoded: envelope["signature"] as? String ?? ""), "signature is not base64")
        let sig = dir.file("sig.bin")
        try signature.write(to: URL(fileURLWithPath: sig))
        let verify = try ChildProcess("/usr/bin/openssl", ["dgst", "-sha256", "-verify", pub, "-signature", sig, data])
        let status = await verify.waitForExit()
        return status == 0 && verify.stdout.contains("Verified OK")
    }

    /// A JSON object from bytes (or a failed expectation).
    static func object(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
}
