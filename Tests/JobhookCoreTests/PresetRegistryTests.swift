import Foundation
@testable import JobhookCore
import Testing

/// The registry is the one list of vendors: config finds presets through it and its error
/// messages list it.
@Suite struct PresetRegistryTests {
    static let head = "cce:\n  region: r\nreceivers:\n"

    @Test func everyRegisteredPresetIsFoundByItsOwnName() {
        for preset in PresetRegistry.all {
            #expect(PresetRegistry.preset(named: preset.name)?.name == preset.name)
        }
        #expect(Set(PresetRegistry.names).count == PresetRegistry.all.count, "two presets share a name")
        #expect(PresetRegistry.preset(named: "telegram") == nil)
        #expect(PresetRegistry.preset(named: "Feishu") == nil)
    }

    @Test(arguments: PresetRegistry.names)
    func everyRegisteredPresetRoundTripsThroughTheConfig(name: String) throws {
        let config = try ConfigFixtures.load(Self.head + "  - {name: r, preset: \(name), url: 'https://example.com/h'}\n")
        #expect(config.receiver(named: "r")?.preset.name == name)
    }

    @Test func aReceiverWithoutPresetIsGeneric() throws {
        let config = try ConfigFixtures.load(Self.head + "  - {name: r, url: 'https://example.com/h'}\n")
        #expect(config.receiver(named: "r")?.preset.name == PresetRegistry.generic.name)
        #expect(PresetRegistry.preset(named: PresetRegistry.generic.name) != nil)
    }

    @Test func unknownPresetErrorListsExactlyTheRegisteredNames() {
        let problems = ConfigFixtures.problems(Self.head + "  - {name: r, preset: telegram, url: 'https://example.com/h'}\n")
        #expect(problems.count == 1)
        let listed = problems.first?.split(separator: "(expected one of ").last?.dropLast()
            .components(separatedBy: ", ")
        #expect(listed == PresetRegistry.names)
    }

    @Test func secretIsAcceptedExactlyByThePresetsThatSignWithIt() {
        for preset in PresetRegistry.all {
            let problems = ConfigFixtures.problems(Self.head + "  - {name: r, preset: \(preset.name), url: 'https://example.com/h', secret: s}\n")
            #expect(problems.isEmpty == preset.signsWithSecret, "\(preset.name): \(problems)")
        }
    }
}
