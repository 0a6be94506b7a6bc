import ArborServer
import ArborStore
import ArgumentParser
import Foundation

extension Clients {
    /// `arbor clients set-secret ID (--secret-file F | --generate-secret | --none)`
    struct SetSecret: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-secret",
            abstract: "Set or remove a client's secret (only its hash is stored).",
            discussion: """
                A client with a secret must send it in X-Arbor-Client-Secret on every request; a wrong or \
                missing secret is refused with NotAuthenticated. --none removes the secret: the client is then \
                trusted by its id alone, which is only safe on trusted networks. A generated secret is printed \
                once and cannot be shown again.
                """
        )

        @Argument(help: "The client's id.") var id: String
        @OptionGroup var secret: SecretOptions
        @Flag(name: .long, help: "Remove the client's secret (trusted networks only).") var none = false
        @OptionGroup var store: StoreOptions

        func validate() throws {
            if none {
                guard secret.secretFile == nil, !secret.generateSecret else {
                    throw ValidationError("give only one of --secret-file, --generate-secret and --none")
                }
            } else {
                try secret.validate(requireOne: true)
            }
        }

        func run() async throws {
            let chosen = none ? nil : try secret.secret()
            let hash = chosen.map { ClientSecret.hash($0.secret, salt: ClientSecret.randomSalt()) }
            try await Clients.withStore(store, "setting the secret of client '\(id)'", client: id) { site throws(StoreError) in
                try await site.setClientSecretHash(id: id, hash: hash)
            }
            SecretOptions.report(
                hash == nil ? "removed the secret of client '\(id)': it is trusted by its id alone" : "set the secret of client '\(id)'",
                generated: chosen?.generated == true ? chosen?.secret : nil
            )
        }
    }
}

/// `--secret-file F | --generate-secret`, shared by `clients add` and `clients set-secret`.
struct SecretOptions: ParsableArguments {
    @Option(name: .long, help: "A file holding the client's secret (1-1024 visible ASCII characters).")
    var secretFile: String?
    @Flag(name: .long, help: "Generate a random secret and print it once, alone on standard output (`… > client.secret` writes the file).")
    var generateSecret = false

    /// Throws unless at most one (or, with `requireOne`, exactly one) source is given.
    func validate(requireOne: Bool) throws {
        if secretFile != nil, generateSecret { throw ValidationError("give only one of --secret-file and --generate-secret") }
        if requireOne, secretFile == nil, !generateSecret {
            throw ValidationError("give one of --secret-file, --generate-secret and --none")
        }
    }

    /// The secret chosen, if any, and whether it was generated (and must be printed once).
    func secret() throws -> (secret: String, generated: Bool)? {
        if generateSecret { return (ClientSecret.generate(), true) }
        guard let secretFile else { return nil }
        do { return (try ClientSecretFile.read(secretFile), false) } catch { throw CommandFailure(error.description) }
    }

    /// Prints what was done; with a generated secret (the only time it is ever shown), only
    /// the secret goes to standard output, so `… --generate-secret > client.secret` makes the
    /// file its edge or son reads, and the sentence goes to standard error.
    static func report(_ sentence: String, generated secret: String?) {
        guard let secret else { return print(sentence) }
        FileHandle.standardError.write(Data("\(sentence)\nthe secret (shown only now) is on standard output; give it to the client's edge or son\n".utf8))
        print(secret)
    }
}
