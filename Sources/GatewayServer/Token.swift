import ArgumentParser
import Gateway

import Foundation

/// `gateway token`: prints the admin token stored in the data directory (creating it if there is none),
/// or replaces it with `--rotate`.
struct Token: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print (or --rotate) the admin token kept in the data directory.",
        discussion: """
            The token is what the admin REST routes, the UI (?token=) and the admin stream need. A token set with \
            auth.adminToken (or GATEWAY_AUTH_ADMIN_TOKEN) wins over the file. A running gateway reads the file \
            at start: restart it after --rotate.
            """
    )

    @Option(help: "Directory for runtime state (data.dir, default data).") var dataDir = "data"
    @Flag(help: "Replace the token with a new random one.") var rotate = false

    func run() throws {
        let token = rotate ? try AdminToken.generate(in: dataDir) : try AdminToken.load(configured: nil, dataDirectory: dataDir)
        print(token.value)
        if rotate || token.wasGenerated {
            FileHandle.standardError.write(Data("gateway: wrote a new token to \(dataDir)/\(AdminToken.fileName); restart a running gateway to use it\n".utf8))
        }
    }
}
