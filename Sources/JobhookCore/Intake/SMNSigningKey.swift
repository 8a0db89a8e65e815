import _CryptoExtras
import Crypto
public import Foundation
import SwiftASN1
import X509

/// The public key of an SMN signing certificate, read with swift-certificates and checked with
/// swift-crypto's RSA: v1 signatures are RSA PKCS#1 v1.5 over SHA-256 of the string to sign.
public struct SMNSigningKey: Sendable {
    let key: _RSA.Signing.PublicKey
    /// `CN=…` of the certificate, for the log and `jobhook check`.
    public let subject: String
    public let notValidBefore: Date
    public let notValidAfter: Date
    /// SHA-256 of the certificate's DER, as `openssl x509 -fingerprint -sha256` prints it (AB:CD:…).
    public let fingerprint: String

    /// Reads one certificate, PEM (`-----BEGIN CERTIFICATE-----`) or DER. Errors say what the bytes
    /// are not, never quote them.
    public init(certificate data: Data) throws(SMNKeyError) {
        let certificate: Certificate
        let der: [UInt8]
        do {
            if let text = String(data: data, encoding: .utf8), text.contains("-----BEGIN") {
                guard text.contains("-----BEGIN CERTIFICATE-----") else {
                    throw SMNKeyError("is PEM but not a certificate (expected -----BEGIN CERTIFICATE-----)")
                }
                der = try PEMDocument(pemString: text).derBytes
            } else {
                der = Array(data)
            }
            certificate = try Certificate(derEncoded: der)
        } catch let error as SMNKeyError {
            throw error
        } catch {
            throw SMNKeyError("is not an X.509 certificate (PEM or DER)")
        }
        guard let key = _RSA.Signing.PublicKey(certificate.publicKey) else {
            throw SMNKeyError("holds no RSA public key (SMN signs with RSA)")
        }
        self.key = key
        subject = certificate.subject.description
        notValidBefore = certificate.notValidBefore
        notValidAfter = certificate.notValidAfter
        fingerprint = SHA256.hash(data: der).map { String(format: "%02X", $0) }.joined(separator: ":")
    }

    /// Reads `path`; errors name the file.
    public init(contentsOf path: String) throws(SMNKeyError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SMNKeyError("\(path): cannot be read (missing, or no permission)")
        }
        do {
            try self.init(certificate: data)
        } catch {
            throw SMNKeyError("\(path): \(error.description)")
        }
    }

    /// True when `signature` (base64) is this key's PKCS#1 v1.5 SHA-256 signature of `text`.
    public func verifies(_ signature: String, of text: String) -> Bool {
        guard let raw = Data(base64Encoded: signature, options: .ignoreUnknownCharacters), !raw.isEmpty else { return false }
        return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: raw), for: Data(text.utf8), padding: .insecurePKCS1v1_5)
    }
}

/// Why a certificate cannot be used to check SMN signatures.
public struct SMNKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
