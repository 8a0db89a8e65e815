import Crypto
import Foundation
import FuzzSupport
import JobhookCore

/// The SMN envelope parser, the signature check and the CTS trace reader on SMN's side of the
/// route: every byte here comes from the internet before anything is verified. Oracles: nothing
/// crashes or hangs; a message that verifies with the corpus's key is one of the four the seeds
/// carry, signed by `openssl dgst -sha256 -sign` (any other would be a forgery accepted); a decoded
/// envelope written out again decodes to the same message; a trace's job ID is never empty.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSMNMessage(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let data = fuzzInput(start, count)
    guard let message = try? SMNMessage.decode(data) else { return 0 }
    let signed = message.stringToSign
    oracle(signed.hasPrefix("message\n"), "the string to sign does not start with message")
    if fuzzKey.verifies(message.signature, of: signed) {
        let digest = SHA256.hash(data: Data(signed.utf8)).map { String(format: "%02x", $0) }.joined()
        oracle(signedBySeeds.contains(digest), "a message the seeds never signed verifies: \(digest)")
    }
    var fields: [String: String] = [
        "type": message.kind.rawValue, "signature_version": message.signatureVersion, "topic_urn": message.topicURN,
        "message_id": message.messageID, "message": message.message, "timestamp": message.timestamp, "signature": message.signature,
    ]
    fields["subject"] = message.subject
    fields["subscribe_url"] = message.subscribeURL
    fields["unsubscribe_url"] = message.unsubscribeURL
    fields["signing_cert_url"] = message.signingCertURL
    if let again = try? JSONSerialization.data(withJSONObject: fields) {
        oracle((try? SMNMessage.decode(again)) == message, "the envelope does not read back the same")
    }
    _ = message.date
    for trace in CTSTrace.traces(in: message.message) ?? [] {
        oracle(trace.responseJobID?.isEmpty != true, "an empty job ID was taken from a trace")
        _ = trace.clusterID
        _ = trace.jobType
    }
    return 0
}

/// The program's `main` (SwiftPM links `main=FuzzSMNMessage_main`): hands over to libFuzzer.
@_cdecl("FuzzSMNMessage_main")
public func fuzzSMNMessageMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzSMNMessage(data.map(UnsafeRawPointer.init), size) }
}

/// SHA-256 of the strings to sign of Fuzz/Corpus/smn-message/*.json, the only ones the key signed.
let signedBySeeds: Set<String> = [
    "d2c5e0b5e863644cf5f54d1db99737607ebee4e65ebdcffdba4864c42e742b2b", "5d852a7cc6f3dcc057f42ac9a08c9cfe0e31ed258a1cf4dee05cfd447d54277c",
    "31b93dff5a53387e9e8a502fdad77484c07bd2d490769436f47779899de3fada", "8bd970571266cd7df7b3422a0620268ad081880a2afbe144cd0b02e8bd0c9616",
]

/// The certificate whose key signed the seeds (made for the fuzzer; its private key was thrown away).
let fuzzKey: SMNSigningKey = {
    let pem = """
-----BEGIN CERTIFICATE-----
MIIDGTCCAgGgAwIBAgIUGX8T57AojvhBJMiEvcYjaR2cJs8wDQYJKoZIhvcNAQEL
BQAwGzEZMBcGA1UEAwwQam9iaG9vay1mdXp6LXNtbjAgFw0yNjEyMDYyMzQ0NTRa
GA8yMTI2MTExMjIzNDQ1NFowGzEZMBcGA1UEAwwQam9iaG9vay1mdXp6LXNtbjCC
ASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAMB21c9PfwXFhXsje0OHoOsO
DpOnWu+ckCUUzpZ6pfRN65Od7cGV0O5IaMSbpGU5zhf7CQh0JZgPWSCGHXqJQxWK
ieucrC/yxz1xX7Yw6crnQNtnannuW/fmb1MmEQIZpa7PKXRa3/4iaWFkDmb+ujop
gii2FGNkKcr/EUlYszE0iZ8KeDM6cd0KXWPMpGlRs1u+MAhA8v1UgrSIuZgBlMBC
lBc+zVHJbdos8n1qONIwz959OmEf9D0Kxv8PjwsvYM3PqwZ429npsX+HLg8urjdD
sFX6KD5ElpYYrXOtIWyv+wY5ujhaQ6/FGFeBeEIATasUBR0cpo529J2AXTtdILUC
AwEAAaNTMFEwHQYDVR0OBBYEFKypKeA6W0sUHtXnb8R58ZnIrPOyMB8GA1UdIwQY
MBaAFKypKeA6W0sUHtXnb8R58ZnIrPOyMA8GA1UdEwEB/wQFMAMBAf8wDQYJKoZI
hvcNAQELBQADggEBAEnwDztlP1sLHWxfL96glu8YTYPExLPsAIBn2qBq9zOhuPMg
V2/E8M+DLSkQHLWHZoHwDZY7poU00clxI3gnYQ9ESavuuof0RrsXGt2RXGvuruBK
iDROQEVQY3msm+bAbfc/po1i3h+o9Zpy5ma+rTNJ1oGiIe9iVbVTEv5JBYGderes
UqlqGx6MbcqZkSZpFuePK9pbGyIgfxc2AIUHgpNDK5Ietfgp3r3QuCIz7bVE5lIO
Tll85zaD3fTHM/yTbXID16Os6D6gjtl1OaiRTFPMibocEogt09GV4dYnhRtzWXxh
mRNQX4XjczOfasqJvZi3L5ZeiMmd491VFe0dcOY=
-----END CERTIFICATE-----
"""
    return try! SMNSigningKey(certificate: Data(pem.utf8))
}()
