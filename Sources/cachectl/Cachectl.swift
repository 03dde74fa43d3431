import ArgumentParser

@main
struct Cachectl: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cachectl", version: "0.1.0")
}
