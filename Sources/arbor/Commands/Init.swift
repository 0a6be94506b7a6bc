import ArborServer
import ArborStore
import ArgumentParser
import Foundation

/// `arbor init`: creates a site's tables and its incarnation; running it again is harmless.
struct Init: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create the Arbor tables and the entity tables of the schema in a site's database (harmless when repeated).",
        discussion: """
        A new database gets an incarnation (a UUID): its father keeps its upload position per         incarnation, so a rebuilt site starts cleanly. With --restored, marks a database restored         from a backup not made by `arbor backup` (pg_dump, a file-system snapshot): at its next         start the site re-joins its father as a new incarnation.
        """
    )

    @OptionGroup var store: StoreOptions

    @Flag(name: .long, help: "Mark the database as restored from a backup (run before `arbor serve`, with the site stopped).")
    var restored = false

    func run() async throws {
        let (site, location) = try await store.openLocated(creating: true)
        let incarnation: UUID
        do {
            try await site.install(upgradingSchema: false)
            incarnation = try await SiteIncarnation.ensure(in: site)
            if restored { try await SiteIncarnation.markRestored(site) }
        } catch {
            await site.close()
            throw CommandFailure("init failed: \(error.message)")
        }
        let sequence = try? await site.lastSequence()
        await site.close()
        print("initialized \(location) with schema '\(site.schema.name)', table prefix '\(site.prefix)', site '\(site.siteName)'; log at sequence \(sequence ?? 0); incarnation \(incarnation)")
        if restored { print("marked as restored: at its next start the site re-joins its father as a new incarnation") }
    }
}

/// `arbor schema`: the stored distribution schema.
struct Schema: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show or apply the distribution schema of a site's database.",
        subcommands: [Apply.self, Show.self]
    )

    /// `arbor schema apply`: upgrades the database to the given schema (adds tables and columns).
    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store a new schema (a new name) and add its tables and columns; nothing is dropped."
        )

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let site = try await store.open()
            let before = try? await site.storedSchema()
            do {
                try await site.install(upgradingSchema: true)
            } catch {
                await site.close()
                throw CommandFailure("schema apply failed: \(error.message)")
            }
            await site.close()
            print("schema '\(site.schema.name)' applied (was '\(before?.name ?? "none")')")
        }
    }

    /// `arbor schema show`: prints the stored schema.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the schema stored in a site's database.")

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let site = try await store.open()
            let stored = try? await site.storedSchema()
            await site.close()
            guard let stored else { throw CommandFailure("no schema stored: run `arbor init` first") }
            print(stored.text)
        }
    }
}

extension String {
    /// A database URL with its password hidden.
    var redactedForDisplay: String { (try? DatabaseLocation(parsing: self).description) ?? self }
}
