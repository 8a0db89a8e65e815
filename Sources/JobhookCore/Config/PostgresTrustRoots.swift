import Foundation
import SwiftASN1
import X509

/// `sslrootcert`, checked when the config loads: `check` and a reload name a missing or wrong file
/// at its line, instead of every connection failing its TLS handshake later.
enum PostgresTrustRoots {
    /// Why the file cannot serve as trust roots (PEM certificates, at least one), or nil.
    static func problem(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return "\(path): cannot be read (missing, or no permission)" }
        guard let text = String(data: data, encoding: .utf8), text.contains("-----BEGIN CERTIFICATE-----") else {
            return "\(path): expected PEM certificates (-----BEGIN CERTIFICATE-----)"
        }
        do {
            let documents = try PEMDocument.parseMultiple(pemString: text).filter { $0.discriminator == "CERTIFICATE" }
            for document in documents { _ = try Certificate(derEncoded: document.derBytes) }
            return documents.isEmpty ? "\(path): holds no certificate" : nil
        } catch {
            return "\(path): is not a valid PEM certificate bundle"
        }
    }
}
