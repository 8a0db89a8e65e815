import Foundation
import JobhookCore
import Testing

/// Measurements for the issue notes, not assertions on speed: run with `JOBHOOK_MEASURE=1`.
/// What checking one SMN message costs on its own: decoding the envelope, the string to sign, the
/// RSA-2048 signature (swift-crypto over BoringSSL) and reading the CTS trace.
@Suite("SMN measurements", .enabled(if: ProcessInfo.processInfo.environment["JOBHOOK_MEASURE"] != nil))
struct SMNMeasure {
    @Test func checkingOneMessage() throws {
        let smn = try OpenSSLSMN()
        let key = try smn.key()
        let trace = OpenSSLSMN.trace(response: OpenSSLSMN.clusterAnswer(jobID: "0f2c1c5e-0000-4000-8000-000000000001"))
        let body = OpenSSLSMN.body(try smn.notification(message: trace))
        let rounds = 5_000
        let clock = ContinuousClock()
        var admitted = 0
        let decode = clock.measure { for _ in 0..<rounds { _ = try? SMNMessage.decode(body) } }
        let message = try SMNMessage.decode(body)
        let verify = clock.measure {
            for _ in 0..<rounds where SMNAdmission.authentic(message, key: key, maxAge: 900, now: Date()) == nil { admitted += 1 }
        }
        let read = clock.measure { for _ in 0..<rounds { _ = CTSTrace.traces(in: message.message) } }
        #expect(admitted == rounds)
        print("SMN message of \(body.count) bytes: decode \(decode / rounds), signature + age \(verify / rounds), trace \(read / rounds) per message")
    }
}
