import CCE
import Foundation
import Testing

@Test func zzTimingProbe() throws {
    let data = Data(JobFixtures.documentationExample.utf8)
    let clock = ContinuousClock()
    var n = 0
    let t1 = clock.measure { for _ in 0..<20_000 { if GoTimestamp.parse("2018-08-02 08:12:40.672772389 +0000 UTC") != nil { n += 1 } } }
    let t2 = try clock.measure { for _ in 0..<2_000 { n += try Job.decode(data).subJobs.count } }
    let deep = Data(JobFixtures.chain(depth: 10).utf8)
    let t3 = try clock.measure { for _ in 0..<2_000 { n += try Job.decode(deep).subJobs.count } }
    print("TIMING parse x20000: \(t1)  decode fixture x2000: \(t2)  decode deep x2000: \(t3) \(n)")
}
