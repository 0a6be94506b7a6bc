import ArborCore
import ArgumentParser
import Foundation

/// Messages for command-line mistakes that ArgumentParser words poorly: a mistyped subcommand
/// (it reports the next option as unknown instead) and the command a refusal belongs to.
enum CommandLineGuide {
    /// The words of `arguments` naming (sub)commands, from the root: `arbor clients list`.
    static func commandPath(of arguments: [String], root: any ParsableCommand.Type) -> String {
        walk(arguments, root: root).names.joined(separator: " ")
    }

    /// For a command line whose first word after a command group is none of its subcommands:
    /// the message naming it, the closest subcommand and all of them. Nil otherwise.
    static func unknownSubcommand(in arguments: [String], root: any ParsableCommand.Type) -> String? {
        let (names, command, next) = walk(arguments, root: root)
        let subcommands = command.configuration.subcommands
        guard !subcommands.isEmpty, let word = next, !word.hasPrefix("-"), word != "help" else { return nil }
        let known = subcommands.map(name(of:))
        let path = names.joined(separator: " ")
        let suggestion = NameSuggestion.closest(to: word, among: known).map { " Did you mean '\($0)'?" } ?? ""
        return "'\(word)' is not a subcommand of '\(path)'.\(suggestion)\n  Its subcommands: \(known.joined(separator: ", ")). See '\(path) --help'."
    }

    /// Prints `message` as an error on standard error and exits with the usage status (64).
    static func refuse(_ message: String) -> Never {
        FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
        exit(ExitCode.validationFailure.rawValue)
    }

    /// Follows subcommand words from the root: the names taken, the command reached, and the
    /// first word that did not name one of its subcommands.
    private static func walk(_ arguments: [String], root: any ParsableCommand.Type) -> (names: [String], command: any ParsableCommand.Type, next: String?) {
        var names = [name(of: root)], command = root
        for word in arguments {
            guard let sub = command.configuration.subcommands.first(where: { name(of: $0) == word || $0.configuration.aliases.contains(word) }) else {
                return (names, command, word)
            }
            names.append(name(of: sub))
            command = sub
        }
        return (names, command, nil)
    }

    private static func name(of command: any ParsableCommand.Type) -> String {
        command.configuration.commandName ?? command._commandName
    }
}
