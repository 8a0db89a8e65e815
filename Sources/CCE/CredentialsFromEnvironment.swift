public import Foundation
public import Logging

/// The variables the official Huawei Cloud SDKs read (`HUAWEICLOUD_SDK_AK`, `_SK`, `_SECURITY_TOKEN`,
/// `_PROJECT_ID`, `_REGION`), so jobhook runs in a CI job with no config file. Empty values count as unset.
public struct CredentialsFromEnvironment: Sendable, Hashable {
    public var accessKey: Secret?
    public var secretKey: Secret?
    public var securityToken: Secret?
    public var projectID: String?
    public var region: String?

    public init(_ environment: [String: String] = ProcessInfo.processInfo.environment) {
        func value(_ name: String) -> String? {
            environment["HUAWEICLOUD_SDK_" + name].map { $0.trimmingWhitespace() }.flatMap { $0.isEmpty ? nil : $0 }
        }
        accessKey = value("AK").map(Secret.init)
        secretKey = value("SK").map(Secret.init)
        securityToken = value("SECURITY_TOKEN").map(Secret.init)
        projectID = value("PROJECT_ID")
        region = value("REGION")
    }

    /// Both halves of an access key are set.
    public var hasAccessKey: Bool { accessKey != nil && secretKey != nil }

    /// Why the variables cannot be used when only one half of an access key is set (nil otherwise):
    /// a lone AK or SK is a mistake in the CI setup, and ignoring it would surface later as an
    /// unauthenticated request. Names the variables only, never their values.
    public var halfAccessKeyProblem: String? {
        switch (accessKey, secretKey) {
        case (.some, nil): "HUAWEICLOUD_SDK_AK is set but HUAWEICLOUD_SDK_SK is not; set both or neither"
        case (nil, .some): "HUAWEICLOUD_SDK_SK is set but HUAWEICLOUD_SDK_AK is not; set both or neither"
        default: nil
        }
    }

    /// An AK/SK signer from these variables, or nil when AK or SK is missing.
    public func signer(logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) -> AKSKSigner? {
        guard let accessKey, let secretKey else { return nil }
        return AKSKSigner(accessKey: accessKey, secretKey: secretKey, securityToken: securityToken, logger: logger, now: now)
    }
}
