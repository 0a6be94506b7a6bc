import GRDB

/// Many rows per statement: multi-row `VALUES` lists and `IN` lists, so a transaction that
/// loads or saves thousands of entities runs tens of statements, not thousands (issue 12: per
/// statement, GRDB's argument checking and binding cost more than SQLite's own work).
///
/// Statements stay within 999 bound values, SQLite's smallest compiled-in limit, so any build
/// of the library takes them.
enum SQLiteBatches {
    /// The most values one statement binds.
    static let maximumArguments = 999

    /// How many rows of `columns` values one statement carries besides `fixed` other values.
    static func rowsPerStatement(columns: Int, fixed: Int = 0) -> Int {
        max(1, min(256, (maximumArguments - fixed) / max(1, columns)))
    }

    /// `items` in consecutive slices of at most `size`.
    static func slices<Items: RandomAccessCollection>(_ items: Items, size: Int) -> [Items.SubSequence] where Items.Index == Int {
        stride(from: items.startIndex, to: items.endIndex, by: size).map { items[$0..<min($0 + size, items.endIndex)] }
    }

    /// `row, row, …` with `count` copies of `row` (a parenthesised placeholder list).
    static func repeated(_ row: String, count: Int) -> String {
        Array(repeating: row, count: count).joined(separator: ", ")
    }

    /// The statement for `count` rows: cached when it carries a full slice (the common case,
    /// one SQL text per table), prepared once otherwise, so the cache never holds every size.
    static func statement(_ db: Database, count: Int, full: Int, sql: (Int) -> String) throws -> Statement {
        count == full ? try db.cachedStatement(sql: sql(count)) : try db.makeStatement(sql: sql(count))
    }
}
