import ArborCore
import ArgumentParser

@main
struct Arbor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arbor",
        abstract: "Arbor: hierarchical, selective replication of a database through a tree of sites.",
        version: ArborVersion.line,
        subcommands: [Demo.self, Serve.self, Init.self, Backup.self, Schema.self, Clients.self, Servers.self, Status.self, Tree.self, Tail.self, SelfCheck.self, Verify.self, Version.self]
    )
}

/// `arbor version`: the same line as `arbor --version`.
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print Arbor's version (the release, and the protocol version it speaks).")

    func run() {
        print(ArborVersion.line)
    }
}
