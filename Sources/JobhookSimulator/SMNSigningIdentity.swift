import _CryptoExtras
import Foundation
import SwiftASN1
import X509
#if canImport(Glibc)
import Glibc
#endif

/// The simulated SMN's signing key and its self-signed certificate. Real SMN signs with a key whose
/// certificate Huawei publishes (`CN=Huawei-Cloud-SMN-Meter`, RSA-2048); jobhook pins such a
/// certificate, so the simulator writes its own for jobhook to pin the same way.
public struct SMNSigningIdentity: Sendable {
    public static let subjectName = "Huawei-Cloud-SMN-Meter-Simulated"

    let privateKey: _RSA.Signing.PrivateKey
    /// The certificate, PEM (`-----BEGIN CERTIFICATE-----`).
    public let certificatePEM: String

    /// A new certificate (valid from an hour ago for ten years, so clock skew never rejects it) for `privateKey`.
    init(privateKey: _RSA.Signing.PrivateKey, now: Date = Date()) throws {
        self.privateKey = privateKey
        let name = try DistinguishedName { CommonName(Self.subjectName) }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(privateKey.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(10 * 365 * 86_400),
            issuer: name, subject: name, signatureAlgorithm: .sha256WithRSAEncryption,
            extensions: Certificate.Extensions(), issuerPrivateKey: Certificate.PrivateKey(privateKey))
        certificatePEM = try certificate.serializeAsPEM().pemString
    }

    /// A fresh RSA-2048 key.
    static func generated() throws -> SMNSigningIdentity {
        try SMNSigningIdentity(privateKey: _RSA.Signing.PrivateKey(keySize: .bits2048))
    }

    /// `smn.key_file` and `smn.cert_file`: the key is read when its file exists, else generated and written
    /// there (0600); the certificate is (re)written to `certFile`. Errors name the file and the fix.
    static func prepare(keyFile: String?, certFile: String?) throws(ScenarioError) -> SMNSigningIdentity {
        let identity: SMNSigningIdentity
        if let keyFile, FileManager.default.fileExists(atPath: keyFile) {
            let text: String
            do {
                text = try String(contentsOfFile: keyFile, encoding: .utf8)
            } catch {
                throw ScenarioError("smn.key_file \(keyFile): cannot read it: \(error.localizedDescription)")
            }
            do {
                identity = try SMNSigningIdentity(privateKey: _RSA.Signing.PrivateKey(pemRepresentation: text))
            } catch {
                throw ScenarioError("smn.key_file \(keyFile): not an RSA private key (PEM, at least 2048 bits): \(error); "
                                    + "delete the file to have a new key generated")
            }
        } else {
            do {
                identity = try generated()
            } catch {
                throw ScenarioError("smn: cannot generate a signing key: \(error)")
            }
            if let keyFile { try writePrivate(identity.privateKey.pkcs8PEMRepresentation, to: keyFile) }
        }
        if let certFile {
            do {
                try Data(identity.certificatePEM.utf8).write(to: URL(fileURLWithPath: certFile), options: .atomic)
            } catch {
                throw ScenarioError("smn.cert_file \(certFile): cannot write the certificate: \(error.localizedDescription)")
            }
        }
        return identity
    }

    /// base64 of RSA PKCS#1 v1.5 over SHA-256 of `text`'s UTF-8 bytes: SMN's `signature_version` v1.
    func sign(_ text: String) throws -> String {
        try privateKey.signature(for: Data(text.utf8), padding: .insecurePKCS1v1_5).rawRepresentation.base64EncodedString()
    }

    /// Creates the file with mode 0600 from the start, so the key is never readable by others, not even briefly.
    private static func writePrivate(_ text: String, to path: String) throws(ScenarioError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            throw ScenarioError("smn.key_file \(path): cannot create it: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            throw ScenarioError("smn.key_file \(path): cannot write it: \(String(cString: strerror(errno)))")
        }
    }
}
