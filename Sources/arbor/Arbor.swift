import ArborCore
import ArgumentParser
import Foundation

@main
struct Arbor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arbor",
        abstract: "Arbor: hierarchical, selective replication of a database through a tree of sites.",
        version: ArborVersion.line,
        subcommands: [Demo.self, Serve.self, Init.self, Backup.self, Schema.self, Clients.self, Servers.self, Find.self, Status.self, Tree.self, Tail.self, SelfCheck.self, Verify.self, Version.self]
    )

    /// Parses and runs as ArgumentParser does, but a mistyped subcommand is named with a "did
    /// you mean", and a command's own refusal (a bad setting) ends with a hint to that
    /// command's help rather than the top-level usage.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        var command: any ParsableCommand
        do {
            command = try await asyncParseAsRoot(arguments)
        } catch {
            if let guidance = CommandLineGuide.unknownSubcommand(in: arguments, root: Arbor.self) { CommandLineGuide.refuse(guidance) }
            exit(withError: error)
        }
        do {
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as ValidationError {
            let path = CommandLineGuide.commandPath(of: arguments, root: Arbor.self)
            CommandLineGuide.refuse("\(error.message)\n  See '\(path) --help' for its options\(path == "arbor serve" ? " and every setting" : "").")
        } catch {
            exit(withError: error)
        }
    }
}

/// `arbor version`: the same line as `arbor --version`.
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print Arbor's version (the release, and the protocol version it speaks).")

    func run() {
        print(ArborVersion.line)
    }
}
