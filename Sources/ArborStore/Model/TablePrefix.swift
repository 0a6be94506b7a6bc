/// The prefix of every Arbor table in the database (§7.2): lets several instances share one
/// database without seeing each other's data. Default `arbor_`.
public struct TablePrefix: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    /// The default prefix.
    public static let standard = TablePrefix(validated: "arbor_")

    /// Checks the prefix: lower-case ASCII letters, digits and `_`, starting with a letter, ≤ 20.
    public init(_ value: String) throws(StoreError) {
        guard let first = value.unicodeScalars.first, ("a"..."z").contains(first), value.count <= 20,
              value.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" })
        else {
            throw StoreError(
                .invalidConfiguration,
                "table prefix '\(value)' is invalid: use up to 20 lower-case letters, digits or '_', starting with a letter (e.g. 'arbor_')"
            )
        }
        self.value = value
    }

    init(validated value: String) {
        self.value = value
    }

    /// A table name with this prefix.
    public func table(_ name: String) -> String { value + name }

    public var description: String { value }
}
