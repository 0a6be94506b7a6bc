import ArborCore
import GRDB

extension SQLiteSiteStore {
    /// Every schema this database held, oldest first (empty before `install`).
    public func schemaHistory() async throws(StoreError) -> [StoredSchema] {
        try await reading("reading the schema history") { [prefix] db in try Self.schemaHistory(db, prefix: prefix) }
    }

    /// The rows of the schema history table, in order; empty when it does not exist yet.
    static func schemaHistory(_ db: Database, prefix: TablePrefix) throws -> [StoredSchema] {
        let table = prefix.table("schema_history")
        guard try db.tableExists(table) else { return [] }
        return try Row.fetchAll(db, sql: "SELECT name, text FROM \(table) ORDER BY position").map { StoredSchema(name: $0["name"], text: $0["text"]) }
    }

    static func appendHistory(_ db: Database, prefix: TablePrefix, position: Int, name: String, text: String) throws {
        try db.execute(
            sql: "INSERT INTO \(prefix.table("schema_history")) (position, name, text) VALUES (?, ?, ?)",
            arguments: [position, name, text]
        )
    }
}
