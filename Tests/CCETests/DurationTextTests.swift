import CCE
import Testing

/// One duration grammar for rules.yaml, flags and simulator scenarios.
@Suite struct DurationTextTests {
    @Test(arguments: [
        ("250ms", Duration.milliseconds(250)), ("15s", .seconds(15)), ("5m", .seconds(300)), ("2h", .seconds(7200)),
        ("1h30m", .seconds(5400)), (" 2m10s ", .seconds(130)),
    ])
    func parses(text: String, duration: Duration) {
        #expect(DurationText.parse(text) == duration)
    }

    @Test(arguments: ["", "15", "s", "1.s", ".5s", "1..5s", "-1s", "5d", "1 h", "0s", "0ms"])
    func refuses(text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    @Test func scenariosAlsoAllowDecimalParts() {
        #expect(DurationText.parse("1.5s") == nil)
        #expect(DurationText.parse("1.5s", allowFractions: true) == .milliseconds(1500))
        #expect(DurationText.parse("0.25h", allowFractions: true) == .seconds(900))
        #expect(DurationText.parse("1..5s", allowFractions: true) == nil)
    }

    @Test func zeroOnlyWhenAllowed() {
        #expect(DurationText.parse("0s", allowZero: true) == .zero)
        #expect(DurationText.parse("0s") == nil)
    }

    @Test(arguments: [Duration.milliseconds(250), .seconds(15), .seconds(432), .seconds(7200), .seconds(5400)])
    func formatRoundTrips(duration: Duration) {
        #expect(DurationText.parse(DurationText.format(duration)) == duration)
    }
}
