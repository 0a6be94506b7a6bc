/// The names of the named migrations of Arbor's own tables, in order; both backends run
/// migrations of exactly these names (a test checks it), recorded per table prefix.
///
/// The baseline (`Schemas/*/arbor-tables.sql`, idempotent `CREATE … IF NOT EXISTS`) runs on
/// every install before them, so a new table is a block added there; a change to an existing
/// table is a migration: a name here and its SQL in ``SQLiteMigrations`` and ``PostgresMigrations``.
public enum ArborMigrationNames {
    public static let all = [
        "0001-clients-secret-hash",
        "0002-schema-history",
        // The clients' role, application or son (issue 11 item 3). Rows that existed before it
        // and hold a son's upload position at this site (a site counter `link.son.<id>.applied`
        // or `link.son.<id>.<incarnation>.applied`) become sons, so linked sons keep uploading;
        // every other row becomes an application, so no existing client gains the right to upload.
        "0003-clients-role",
    ]
}
