import CCE
import Foundation
import JobhookCore
import JobhookSimulator
import Synchronization

/// `jobhook demo --push`: the simulator plays SMN. It signs with a key it generates, the daemon pins
/// the certificate it writes, and every job it starts is announced to the daemon's intake route, so
/// the job the config leaves out is found by push instead of by listing.
struct DemoPush {
    let apiPort: Int
    let certificate: String
    let smn: Scenario.SMN

    init(directory: URL) throws {
        apiPort = try FreePort.loopback()
        certificate = directory.appendingPathComponent("smn-cert.pem").path
        smn = Scenario.SMN(url: "http://127.0.0.1:\(apiPort)\(SMNIntakeSettings.defaultPath)", certFile: certificate)
    }

    /// `intake.smn` pinning the certificate of the key `simulator` signs with.
    func intake(signedBy simulator: CCESimulator) async throws -> SMNIntakeSettings {
        let identity = try await simulator.smnIdentity()
        let key = try SMNSigningKey(certificate: Data(identity.certificatePEM.utf8))
        let topic = smn.topicURN(projectID: simulator.scenario.projectID)
        return SMNIntakeSettings(topics: [topic], certificate: .pinned(path: certificate, key: key))
    }
}

/// The running simulator, once the demo has started it (from inside the daemon's run).
final class RunningSimulatorBox: Sendable {
    private let value = Mutex<RunningSimulator?>(nil)
    func set(_ simulator: RunningSimulator) { value.withLock { $0 = simulator } }
    var current: RunningSimulator? { value.withLock { $0 } }
}
