import CurlHTTP
import Foundation
import Testing

/// The one `Retry-After` parser, used for CCE answers and webhook receivers alike.
@Suite struct RetryAfterTests {
    static let now = Date(timeIntervalSince1970: 784_111_777) // Sun, 06 Nov 1994 08:49:37 GMT

    @Test(arguments: [
        ("0", Duration.zero), ("30", .seconds(30)), (" 5 ", .seconds(5)), ("1.5", .milliseconds(1500)),
        ("86400", .seconds(86_400)),
    ])
    func deltaSeconds(value: String, wait: Duration) {
        #expect(RetryAfter.parse(value, now: Self.now) == wait)
    }

    @Test(arguments: [
        ("Sun, 06 Nov 1994 08:50:37 GMT", Duration.seconds(60)),
        ("Sun, 06 Nov 1994 08:49:37 GMT", .zero),
        ("Sun, 06 Nov 1994 08:00:00 GMT", .zero),      // in the past: now
        ("Mon, 07 Nov 1994 08:49:37 GMT", .seconds(86_400)),
        ("Tue, 07 Feb 1995 08:49:37 UTC", .seconds(93 * 86_400)),
    ])
    func httpDates(value: String, wait: Duration) {
        #expect(RetryAfter.parse(value, now: Self.now) == wait)
    }

    @Test(arguments: [
        "", "   ", "soon", "-5", "+5", "5s", "inf", "nan", "1e400x",
        "Sun, 06 Nov 1994 08:49:37", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
        "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT",
        "Sun, 06 Nov 1994 08:49 GMT", "Sun, 6 Nov 1994 08:49:37 GMT",
        // Days the month does not have (found by the `http-date` fuzz target): not the 1st of the next.
        "Thu, 31 Nov 1994 08:49:37 GMT", "Wed, 29 Feb 2023 08:49:37 GMT", "Mon, 29 Feb 1900 08:49:37 GMT",
    ])
    func garbageIsNoHint(value: String) {
        #expect(RetryAfter.parse(value, now: Self.now) == nil)
    }

    @Test func missingHeaderIsNoHint() {
        #expect(RetryAfter.parse(nil, now: Self.now) == nil)
        #expect(HTTPResponse(status: 503).retryAfter(now: Self.now) == nil)
        #expect(HTTPResponse(status: 503, headers: [HTTPHeader("retry-after", "7")]).retryAfter(now: Self.now) == .seconds(7))
    }

    @Test func httpDateMatchesTheCalendar() {
        let calendar = Calendar(identifier: .gregorian)
        var components = DateComponents(timeZone: TimeZone(identifier: "GMT"), year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 59)
        #expect(HTTPDate.parse("Thu, 29 Feb 2024 23:59:59 GMT") == calendar.date(from: components))
        components = DateComponents(timeZone: TimeZone(identifier: "GMT"), year: 1970, month: 1, day: 1)
        #expect(HTTPDate.parse("Thu, 01 Jan 1970 00:00:00 GMT") == calendar.date(from: components))
        components = DateComponents(timeZone: TimeZone(identifier: "GMT"), year: 2000, month: 2, day: 29)
        #expect(HTTPDate.parse("Tue, 29 Feb 2000 00:00:00 GMT") == calendar.date(from: components))
        #expect(HTTPDate.parseRepeated("Thu, 01 Jan 1970 00:00:00 GMT") == Date(timeIntervalSince1970: 0))
        #expect(HTTPDate.parseRepeated("Thu, 01 Jan 1970 00:00:00 GMT") == Date(timeIntervalSince1970: 0))
        #expect(HTTPDate.parseRepeated("garbage") == nil)
    }
}
