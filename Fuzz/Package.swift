// swift-tools-version: 6.1
import PackageDescription

/// libFuzzer targets, one executable per parser that reads outside input. A package of its own so
/// the fuzzer flags never reach the main build; `scripts/fuzz` builds and runs it with
/// `swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -enable-testing`.
/// `-enable-testing` lets the targets `@testable import` the parsers' internal entry points (the
/// scanner, its Foundation reference path, the header-line parser) without widening the main API.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let jobhook = Target.Dependency.product(name: "JobhookFuzzing", package: "jobhook")

/// A fuzz target: `Sources/NAME/main.swift` defines `LLVMFuzzerTestOneInput`; libFuzzer supplies `main`.
func fuzzTarget(_ name: String, _ more: [Target.Dependency] = []) -> Target {
    .executableTarget(name: name, dependencies: [jobhook, "FuzzSupport"] + more, swiftSettings: strict)
}

let package = Package(
    name: "jobhook-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "jobhook", path: ".."),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        .target(name: "CLibFuzzer"),
        // Oracles shared by the targets (strict JSON grammar, job differences, a UTC calendar) and the driver.
        .target(name: "FuzzSupport", dependencies: [jobhook, "CLibFuzzer"], swiftSettings: strict),
        fuzzTarget("FuzzShowJob"),
        fuzzTarget("FuzzGoTimestamp"),
        fuzzTarget("FuzzHTTPDate"),
        fuzzTarget("FuzzResponseHeaders"),
        fuzzTarget("FuzzListJobs"),
        fuzzTarget("FuzzConfig"),
        fuzzTarget("FuzzTemplateBody"),
        fuzzTarget("FuzzSMNMessage", [.product(name: "Crypto", package: "swift-crypto")]),
    ]
)
