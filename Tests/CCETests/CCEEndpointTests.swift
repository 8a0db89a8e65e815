import CCE
import Testing

@Suite struct CCEEndpointTests {
    @Test(arguments: [
        ("cn-north-4", "https://cce.cn-north-4.myhuaweicloud.com"),
        ("ap-southeast-1", "https://cce.ap-southeast-1.myhuaweicloud.com"),
        ("eu-west-101", "https://cce.eu-west-101.myhuaweicloud.eu"),
    ])
    func regionMapsToTheCCEHost(region: String, expected: String) throws {
        let endpoint = try CCEEndpoint(region: region)
        #expect(endpoint.baseURL == expected)
        #expect(endpoint.url("/api/v3/projects/p/jobs/j") == expected + "/api/v3/projects/p/jobs/j")
    }

    @Test func iamFollowsTheSameNaming() throws {
        #expect(try CCEEndpoint.iam(region: "cn-north-4").baseURL == "https://iam.cn-north-4.myhuaweicloud.com")
        #expect(try CCEEndpoint.iam(region: "eu-west-101").baseURL == "https://iam.eu-west-101.myhuaweicloud.eu")
        #expect(try CCEEndpoint.iam(region: nil).baseURL == "https://iam.myhuaweicloud.com")
    }

    @Test(arguments: [
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080", "127.0.0.1:8080"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080", "127.0.0.1:8080"),
        ("https://gw.example.com/cce//", "https://gw.example.com/cce", "gw.example.com"),
        ("  HTTPS://cce.example.com  ", "https://cce.example.com", "cce.example.com"),
        ("http://[::1]:9000", "http://[::1]:9000", "[::1]:9000"),
    ])
    func explicitEndpointIsNormalised(url: String, base: String, host: String) throws {
        let endpoint = try CCEEndpoint(url: url)
        #expect(endpoint.baseURL == base)
        #expect(endpoint.hostHeader == host)
    }

    @Test(arguments: [
        "ftp://cce.example.com", "cce.example.com", "https://", "https://user:pw@cce.example.com",
        "https://cce.example.com?x=1", "https://cce.example.com:99999", "https://cce.example.com:abc",
        "https://cce example.com", "file:///etc/passwd",
    ])
    func unusableEndpointsAreRefused(url: String) {
        #expect(throws: CCEError.self) { try CCEEndpoint(url: url) }
    }

    @Test func endpointErrorsNeverQuoteUserInfo() {
        do {
            _ = try CCEEndpoint(url: "https://user:hunter2@cce.example.com")
        } catch {
            #expect(!error.description.contains("hunter2") || error.description.contains("credentials do not belong"))
            #expect(error.description.contains("credentials do not belong"))
        }
    }

    @Test(arguments: ["", "CN-NORTH-4", "cn north", "cn-north-4.evil.com/x", "-x"])
    func badRegionsAreRefused(region: String) {
        #expect(throws: CCEError.self) { try CCEEndpoint(region: region) }
    }
}
