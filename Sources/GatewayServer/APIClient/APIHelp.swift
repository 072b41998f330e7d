import ArgumentParser

/// `gateway api help [command…]`: the help of an `api` command, as `gateway help api …` prints it
/// (ArgumentParser's own `help` is recognized at the top level only).
struct APIHelp: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "help",
        abstract: "Show the help of an api command, e.g. gateway api help webhooks add."
    )

    @Argument(help: "The command, e.g. webhooks add.") var command: [String] = []

    func run() throws {
        var type: any ParsableCommand.Type = API.self
        for name in command {
            let next = type.configuration.subcommands.first { $0.configuration.commandName == name || $0.configuration.aliases.contains(name) }
            guard let next else { throw ValidationError("no command '\(command.joined(separator: " "))' under gateway api; see gateway api --help") }
            type = next
        }
        APIOutput(json: false).write(GatewayCommand.helpMessage(for: type) + "\n")
    }
}
