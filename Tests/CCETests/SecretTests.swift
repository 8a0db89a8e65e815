import CCE
import Testing
import TestSupport

@Suite struct SecretTests {
    let secret = Secret("hunter2-token")

    @Test func everyTextualFormIsRedacted() {
        #expect(String(describing: secret) == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
        #expect("token=\(secret)" == "token=<redacted>")
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains("hunter2"))
        #expect(dumped.contains("<redacted>"))
        var dumpedInside = ""
        dump([Optional(secret)], to: &dumpedInside)
        #expect(!dumpedInside.contains("hunter2"))
        #expect(!"\([secret])".contains("hunter2"))
        #expect(!String(describing: Optional(secret)).contains("hunter2"))
    }

    @Test func revealGivesTheValue() {
        #expect(secret.reveal == "hunter2-token")
        #expect(Secret("a") == Secret("a"))
        #expect(Secret("").isEmpty)
    }

    @Test func credentialTypesDoNotPrintTheirSecrets() async {
        let signer = AKSKSigner(accessKey: Secret("AKVISIBLE"), secretKey: Secret("SKHIDDEN"), securityToken: Secret("STSHIDDEN"), logger: .silent)
        var text = ""
        dump(signer, to: &text)
        #expect(!text.contains("SKHIDDEN") && !text.contains("STSHIDDEN"))
        let environment = CredentialsFromEnvironment(["HUAWEICLOUD_SDK_AK": "AK1", "HUAWEICLOUD_SDK_SK": "SKHIDDEN"])
        #expect(!String(describing: environment).contains("SKHIDDEN"))
    }
}
