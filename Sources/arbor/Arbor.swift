import ArgumentParser

@main
struct Arbor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arbor",
        abstract: "Arbor: hierarchical, selective replication of a database through a tree of sites.",
        subcommands: [Demo.self, Serve.self, Init.self, Backup.self, Schema.self, Clients.self, Servers.self, Tail.self, SelfCheck.self, Verify.self]
    )
}
