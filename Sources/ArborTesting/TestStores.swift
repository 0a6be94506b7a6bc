import ArborCore
import ArborStore
import Foundation
import Logging

/// Opens a fresh, isolated store of either backend for one test, and removes it afterwards.
public enum TestStores {
    /// The backends a conformance test runs against.
    public enum Backend: String, Sendable, CaseIterable, CustomStringConvertible {
        case sqlite, postgres

        public var description: String { rawValue }
    }

    /// SQLite always; PostgreSQL when `ARBOR_TEST_POSTGRES_URL` is set (always in CI).
    public static var available: [Backend] {
        TestDatabases.postgresURL == nil ? [.sqlite] : [.sqlite, .postgres]
    }

    /// A random table prefix, so tests sharing one PostgreSQL database never see each other.
    public static func randomPrefix() -> TablePrefix {
        let hex = String(UInt32.random(in: .min ... .max), radix: 16)
        return try! TablePrefix("t\(hex)_")
    }

    /// Where a store of `backend` lives for one test.
    public struct Place: Sendable {
        public let backend: Backend
        public let location: DatabaseLocation
        public let sqlitePath: String?

        /// The `--db` form of the location, for the command line.
        public var databaseURL: String {
            switch location {
            case .sqlite(let path): "sqlite:\(path)"
            case .postgres: TestDatabases.postgresURL ?? ""
            }
        }
    }

    /// A new database location of `backend` (a temp file for SQLite).
    public static func place(_ backend: Backend) throws -> Place {
        switch backend {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-test-\(UUID().uuidString).sqlite").path
            return Place(backend: backend, location: .sqlite(path: path), sqlitePath: path)
        case .postgres:
            guard let url = TestDatabases.postgresURL else { throw TestStoreError("ARBOR_TEST_POSTGRES_URL is not set") }
            return Place(backend: backend, location: try DatabaseLocation(parsing: url), sqlitePath: nil)
        }
    }

    /// Opens (and installs) a store at `place` with `prefix`.
    public static func open(
        _ place: Place, schema: DistributionSchema = Fixtures.retailSchema, prefix: TablePrefix? = nil, siteName: String = "center"
    ) async throws -> any SiteStore {
        let configuration = StoreConfiguration(location: place.location, schema: schema, prefix: prefix ?? randomPrefix(), siteName: siteName)
        let store = try await SiteStores.open(configuration, logger: Logger(label: "arbor.test.store", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await store.install(upgradingSchema: false)
        return store
    }

    /// Runs `body` with a fresh installed store of `backend`, then uninstalls and closes it.
    public static func withStore<T>(
        _ backend: Backend, schema: DistributionSchema = Fixtures.retailSchema, siteName: String = "center",
        _ body: (any SiteStore) async throws -> T
    ) async throws -> T {
        let place = try place(backend)
        let store = try await open(place, schema: schema, siteName: siteName)
        do {
            let result = try await body(store)
            await remove(store, place)
            return result
        } catch {
            await remove(store, place)
            throw error
        }
    }

    /// Uninstalls and closes `store` and deletes its SQLite file.
    public static func remove(_ store: any SiteStore, _ place: Place) async {
        try? await store.uninstall()
        await store.close()
        if let path = place.sqlitePath {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            // The master lock files (`<path>.<prefix>master.lock`).
            let directory = (path as NSString).deletingLastPathComponent, name = (path as NSString).lastPathComponent
            for file in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where file.hasPrefix(name + ".") {
                try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(file))
            }
        }
    }
}

/// A test-support failure with a readable message.
public struct TestStoreError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
