import ArborStore
import ArgumentParser

extension Clients {
    /// `arbor clients set-role ID application|son`
    struct SetRole: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-role",
            abstract: "Set a client's role: application, or son (a son site, which may upload).",
            discussion: """
                Only clients of the son role may upload to this site (delta/upload, delta/upload-position): \
                give it to the client id of each son site's link, and to no application. Running servers \
                follow the change within about a second.
                """
        )

        @Argument(help: "The client's id.") var id: String
        @Argument(help: "application or son.") var role: String
        @OptionGroup var store: StoreOptions

        func validate() throws {
            _ = try Clients.role(role)
        }

        func run() async throws {
            let role = try Clients.role(role)
            try await Clients.withStore(store, "setting the role of client '\(id)'", client: id) { site throws(StoreError) in
                try await site.setClientRole(id: id, role: role)
            }
            print("client '\(id)' is now of the \(role) role")
        }
    }
}
