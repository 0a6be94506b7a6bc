import ArborCore
import ArborServer
import ArborStore
import ArgumentParser
import Foundation

/// `arbor clients`: administers a site's clients table (§2.7). Servers only read the table and
/// react within about a second: a disabled client's open requests end with `ClientDisabled`.
struct Clients: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, add, disable, enable or remove the clients of a site (the clients table).",
        discussion: """
            Every edge that talks to a site needs a row in its clients table: a unique id, one of the \
            64 bits of the registration masks, and a role: an application, or a son site (only sons may \
            upload). Running servers follow the table: disabling a client ends its open requests and \
            refuses new ones, enabling serves it again, removing it frees its bit.
            """,
        subcommands: [List.self, Add.self, SetSecret.self, SetRole.self, Disable.self, Enable.self, Remove.self]
    )

    /// `arbor clients list`
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the clients table: id, bit, role and state.")

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let records = try await Clients.withStore(store, "listing the clients") { site throws(StoreError) in
                try await site.clients()
            }
            print(Clients.table(records))
        }
    }

    /// `arbor clients add ID [--bit N] [--role application|son] [--secret-file F | --generate-secret]`
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a client (enabled); takes the lowest free bit unless --bit is given.")

        @Argument(help: "The client's id (1 to 64 characters), as its edge sends it.") var id: String
        @Option(name: .long, parsing: .unconditional, help: "The bit to give the client, 0 to 63. Default: the lowest free bit.")
        var bit: Int?
        @Option(name: .long, help: "application (an application's edge) or son (a son site's link: may also upload). Default: application.")
        var role: String = ClientRole.application.rawValue
        @OptionGroup var secret: SecretOptions
        @OptionGroup var store: StoreOptions

        func validate() throws {
            if let bit, ClientBit(bit) == nil {
                throw ValidationError("--bit \(bit) is out of range: a client bit is 0 to 63 (omit --bit to take the lowest free one)")
            }
            _ = try Clients.role(role)
            do { try ClientRecord.validate(clientId: id) } catch { throw ValidationError("client id: \(error.message)") }
            try secret.validate(requireOne: false)
        }

        func run() async throws {
            let bit = bit.flatMap(ClientBit.init)
            let chosen = try secret.secret()
            let hash = chosen.map { ClientSecret.hash($0.secret, salt: ClientSecret.randomSalt()) }
            // One statement: the client never exists without its secret.
            let role = try Clients.role(role)
            let record = try await Clients.withStore(store, "adding client '\(id)'") { site throws(StoreError) in
                try await site.addClient(id: id, bit: bit, secretHash: hash, role: role)
            }
            SecretOptions.report(
                "added client '\(record.clientId)' with bit \(record.bit.number), role \(record.role) (enabled)\(hash == nil ? ", no secret" : ", secret set")",
                generated: chosen?.generated == true ? chosen?.secret : nil
            )
        }
    }

    /// `arbor clients disable ID`
    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Disable a client: servers end its open requests (ClientDisabled) and refuse new ones."
        )

        @Argument(help: "The client's id.") var id: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            try await Clients.withStore(store, "disabling client '\(id)'", client: id) { site throws(StoreError) in
                try await site.setClientDisabled(id: id, disabled: true)
            }
            print("disabled client '\(id)': running servers end its open requests and refuse new ones within about a second")
        }
    }

    /// `arbor clients enable ID`
    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled client: servers serve it again.")

        @Argument(help: "The client's id.") var id: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            try await Clients.withStore(store, "enabling client '\(id)'", client: id) { site throws(StoreError) in
                try await site.setClientDisabled(id: id, disabled: false)
            }
            print("enabled client '\(id)'")
        }
    }

    /// `arbor clients remove ID`
    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a client and clear its registrations, so its bit can be given to a new client.",
            discussion: """
                The client's registrations are cleared before its row is deleted and once more a second \
                later, after running servers have seen the removal, so nothing a request in flight wrote \
                meanwhile stays behind on the freed bit.
                """
        )

        /// Longer than the servers' clients-table poll interval (250 ms) plus a request's last write.
        static let settle: Duration = .seconds(1)

        @Argument(help: "The client's id.") var id: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let bit = try await Clients.withStore(store, "removing client '\(id)'", client: id) { site throws(StoreError) in
                guard let record = try await site.clients().first(where: { $0.clientId == id }) else {
                    throw StoreError(.notFound, "no client '\(id)' in the clients table")
                }
                try await RegistrationTable.clearPersisted(record.bit, in: site)
                try await site.removeClient(id: id)
                try? await Task.sleep(for: Self.settle)
                if try await !site.clients().contains(where: { $0.bit == record.bit }) {
                    try await RegistrationTable.clearPersisted(record.bit, in: site)
                }
                return record.bit
            }
            print("removed client '\(id)' and cleared its registrations; bit \(bit.number) is free")
        }
    }

    /// Opens the store, runs `body`, closes it; store errors become messages naming `action`
    /// (and, for an unknown id, the same message on both backends).
    static func withStore<T: Sendable>(
        _ options: StoreOptions, _ action: String, client: String? = nil, _ body: (any SiteStore) async throws(StoreError) -> T
    ) async throws -> T {
        let site = try await options.open()
        do {
            let result = try await body(site)
            await site.close()
            return result
        } catch {
            await site.close()
            if error.code == .notFound, let client {
                throw CommandFailure("\(action) failed: no client '\(client)' in the clients table: `arbor clients list` shows the clients")
            }
            throw CommandFailure("\(action) failed: \(error.message)")
        }
    }

    /// The role `--role` names, or a validation error listing the roles.
    static func role(_ name: String) throws -> ClientRole {
        guard let role = ClientRole(name: name) else {
            throw ValidationError("role '\(name)' is not a role: give application (an application's edge) or son (a son site, which may upload)")
        }
        return role
    }

    /// The clients as a table with a summary line.
    static func table(_ records: [ClientRecord]) -> String {
        let width = max("CLIENT ID".count, records.map(\.clientId.count).max() ?? 0)
        let roleWidth = ClientRole.allCases.map(\.rawValue.count).max() ?? 4
        func pad(_ text: String, _ count: Int) -> String { text + String(repeating: " ", count: max(0, count - text.count)) }
        var lines = ["\(pad("CLIENT ID", width))  BIT  \(pad("ROLE", roleWidth))  STATE"]
        for record in records {
            lines.append("\(pad(record.clientId, width))  \(pad(String(record.bit.number), 3))  \(pad(record.role.rawValue, roleWidth))  \(record.isDisabled ? "disabled" : "enabled")")
        }
        let disabled = records.filter(\.isDisabled).count
        let count = records.count == 1 ? "1 client" : "\(records.count) clients"
        lines.append("\(count) (\(disabled) disabled), \(ClientBit.range.count - records.count) bits free")
        return lines.joined(separator: "\n")
    }
}
