import Foundation

extension PostgresPasswordFile {
    /// Reads the password file at `path` (the caller chooses it: `PGPASSFILE` or `~/.pgpass`).
    /// Returns nil when no file is there and `required` is false (libpq's default file is
    /// optional); throws when the file must exist but does not, is not a plain file, or can
    /// be read or written by group or others (chmod 0600 fixes that, as libpq requires).
    /// Messages name the file, never its content.
    public static func read(path: String, required: Bool) throws(StoreError) -> PostgresPasswordFile? {
        let attributes: [FileAttributeKey: Any]
        do { attributes = try FileManager.default.attributesOfItem(atPath: path) } catch {
            guard required else { return nil }
            throw StoreError(.invalidConfiguration, "the PostgreSQL password file \(path) (PGPASSFILE) does not exist or cannot be read: check the path")
        }
        guard (attributes[.type] as? FileAttributeType) == .typeRegular else {
            throw StoreError(.invalidConfiguration, "the PostgreSQL password file \(path) is not a plain file")
        }
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0
        guard mode & 0o077 == 0 else {
            throw StoreError(
                .invalidConfiguration,
                "the PostgreSQL password file \(path) has group or world access (mode \(String(mode, radix: 8))): run chmod 0600 \(path)"
            )
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StoreError(.invalidConfiguration, "cannot read the PostgreSQL password file \(path): check its owner and mode")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw StoreError(.invalidConfiguration, "the PostgreSQL password file \(path) is not UTF-8 text")
        }
        return PostgresPasswordFile(parsing: text)
    }
}
