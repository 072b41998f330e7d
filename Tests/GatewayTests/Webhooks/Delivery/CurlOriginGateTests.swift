@testable import Gateway
import Testing

/// The per-host connection limit is keyed by origin: the same host in any spelling shares one limit,
/// different ports, schemes or hosts do not, and user info or a path never splits or merges them.
@Suite struct CurlOriginGateTests {
    @Test(arguments: [
        ("https://Example.COM/hook?x=1", "https://example.com"),
        ("HTTP://user:Pass@Host.example:8080/a/b#frag", "http://host.example:8080"),
        ("http://127.0.0.1:9000?s=1", "http://127.0.0.1:9000"),
        ("http://a@b@host.example/", "http://host.example"),
        ("https://host.example", "https://host.example"),
        ("http://[::1]:8000/hook", "http://[::1]:8000"),
        ("https://BÜCHER.example/hook", "https://bücher.example"),
        ("not a url", "not a url"),
    ])
    func theOriginIsSchemeHostAndPortLowerCased(url: String, origin: String) {
        #expect(CurlOriginGate.origin(of: url) == origin)
    }
}
