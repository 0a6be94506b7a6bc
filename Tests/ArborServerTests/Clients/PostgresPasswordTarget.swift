import ArborCore
import ArborStore
import ArborTesting
import Foundation

/// The test PostgreSQL as a password-protected target for admin commands: its URL with and
/// without the password, a fresh table prefix with installed tables, and a scratch `HOME`
/// with an environment holding nothing else, so a command finds a password only where a
/// test puts one.
struct PostgresPasswordTarget {
    let fullURL: String
    let bareURL: String
    let host: String
    let port: Int
    let database: String
    let user: String
    let password: String
    let prefix: TablePrefix
    let store: any SiteStore
    let home: URL

    /// The whole environment of a command: `PATH` and the scratch `HOME`.
    var environment: [String: String] {
        ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": home.path]
    }

    /// Whether the test PostgreSQL refuses a wrong password (a server that trusts every
    /// connection cannot show where a password came from).
    static var passwordsAreChecked: Bool {
        get async {
            guard let url = TestDatabases.postgresURL, case .postgres(var location)? = try? DatabaseLocation(parsing: url),
                let password = location.password, !password.isEmpty
            else { return false }
            location.password = "wrong-\(password)"
            do {
                _ = try await StoreProbe.probe(.postgres(location))
                return false
            } catch {
                return true
            }
        }
    }

    /// Runs `body` with a target on a fresh prefix, removing its tables and files afterwards.
    static func with(_ body: (PostgresPasswordTarget) async throws -> Void) async throws {
        let place = try TestStores.place(.postgres)
        guard case .postgres(let location) = place.location, let password = location.password,
            var components = URLComponents(string: place.databaseURL)
        else { throw TestStoreError("ARBOR_TEST_POSTGRES_URL must carry a password for these tests") }
        components.password = nil
        guard let bareURL = components.string else { throw TestStoreError("cannot remove the password from the test URL") }
        let prefix = TestStores.randomPrefix()
        let store = try await TestStores.open(place, prefix: prefix)
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-admin-home-\(UUID().uuidString)")
        let target = PostgresPasswordTarget(
            fullURL: place.databaseURL, bareURL: bareURL, host: location.host, port: location.port, database: location.database,
            user: location.username, password: password, prefix: prefix, store: store, home: home
        )
        defer { try? FileManager.default.removeItem(at: home) }
        do {
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
            try await body(target)
        } catch {
            await TestStores.remove(store, place)
            throw error
        }
        await TestStores.remove(store, place)
    }

    /// Runs `arbor clients <arguments> --prefix <prefix>` with exactly `environment`.
    func clients(_ arguments: [String], _ environment: [String: String]) async throws -> ArborCommand.Run {
        try await ArborCommand.run(["clients"] + arguments + ["--prefix", prefix.value], environment: environment)
    }
}
