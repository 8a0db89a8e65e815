import CCE
import Foundation
import Testing

@Suite struct GoTimestampTests {
    /// 2018-08-02 08:12:40 UTC.
    static let base: TimeInterval = 1_533_197_560

    @Test(arguments: [
        ("2018-08-02 08:12:40 +0000 UTC", 0),
        ("2018-08-02 08:12:40.6 +0000 UTC", 600_000_000),
        ("2018-08-02 08:12:40.67 +0000 UTC", 670_000_000),
        ("2018-08-02 08:12:40.672 +0000 UTC", 672_000_000),
        ("2018-08-02 08:12:40.6727 +0000 UTC", 672_700_000),
        ("2018-08-02 08:12:40.67277 +0000 UTC", 672_770_000),
        ("2018-08-02 08:12:40.672772 +0000 UTC", 672_772_000),
        ("2018-08-02 08:12:40.6727723 +0000 UTC", 672_772_300),
        ("2018-08-02 08:12:40.67277238 +0000 UTC", 672_772_380),
        ("2018-08-02 08:12:40.672772389 +0000 UTC", 672_772_389),
        ("2018-08-02 16:12:40.672772389 +0800 CST", 672_772_389),
        ("2018-08-02 03:42:40.672772389 -0430 -0430", 672_772_389),
        ("2018-08-02 16:12:40.672772389 +0800 +08 m=+0.000123", 672_772_389),
        ("2018-08-02T08:12:40.672772389Z", 672_772_389),
        ("2018-08-02T08:12:40Z", 0),
        ("2018-08-02T16:12:40.672772389+08:00", 672_772_389),
        ("2018-08-02t08:12:40.672z", 672_000_000),
    ])
    func parsesGoAndRFC3339Forms(text: String, nanos: Int) throws {
        let date = try #require(GoTimestamp.parse(text))
        let expected = Self.base + Double(nanos) / 1e9
        #expect(abs(date.timeIntervalSince1970 - expected) < 1e-6)
    }

    @Test func parsesIAMExpiry() {
        #expect(GoTimestamp.parse("2020-01-04T09:05:22.701000Z") == Date(timeIntervalSince1970: 1_578_128_722.701))
    }

    @Test(arguments: [
        "", "garbage", "2018-08-02", "2018-08-02 08:12:40", "2018-08-02 08:12:40 UTC",
        "2018-13-02 08:12:40 +0000 UTC", "2018-02-30 08:12:40 +0000 UTC", "2018-08-02 24:12:40 +0000 UTC",
        "2018-08-02 08:12:40. +0000 UTC", "2018-08-02 08:12:40.5 +00 UTC", "2018-08-02T08:12:40",
        "2018-08-02T08:12:40+0800x", "18-08-02 08:12:40 +0000 UTC", "2018-08-02 08:12:40 +0000UTC",
        "２018-08-02 08:12:40 +0000 UTC",
    ])
    func garbageIsNil(text: String) {
        #expect(GoTimestamp.parse(text) == nil)
    }

    @Test func leapDayParses() {
        #expect(GoTimestamp.parse("2024-02-29 00:00:00 +0000 UTC") == Date(timeIntervalSince1970: 1_709_164_800))
    }

    @Test func formatTrimsTrailingZerosLikeGo() throws {
        let date = try #require(GoTimestamp.parse("2018-08-02 08:12:40.600000000 +0800 CST"))
        #expect(GoTimestamp.format(date) == "2018-08-02 00:12:40.6 +0000 UTC")
        #expect(GoTimestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01 00:00:00 +0000 UTC")
        #expect(GoTimestamp.formatRFC3339(date) == "2018-08-02T00:12:40.600Z")
        #expect(GoTimestamp.formatRFC3339(Date(timeIntervalSince1970: 1_700_000_500)) == "2023-11-14T22:21:40Z")
        #expect(GoTimestamp.formatRFC3339(GoTimestamp.parse("2018-08-02T08:12:40.672772389Z")!) == "2018-08-02T08:12:40.672Z")
        #expect(GoTimestamp.formatRFC3339(GoTimestamp.parse("2018-08-02T08:12:40.999999Z")!) == "2018-08-02T08:12:40.999Z")
    }

    @Test func formatThenParseGivesTheSameDate() throws {
        for text in ["2018-08-02 08:12:40.672772389 +0000 UTC", "2026-01-01 00:00:00.000000001 +0000 UTC", "1999-12-31 23:59:59.999999999 +0000 UTC"] {
            let date = try #require(GoTimestamp.parse(text))
            #expect(GoTimestamp.parse(GoTimestamp.format(date)) == date)
        }
        let now = Date()
        #expect(GoTimestamp.parse(GoTimestamp.format(now)) == now)
    }
}
