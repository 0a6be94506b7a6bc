/// The operation of a first-class delta (§2.6, §4).
public enum DeltaOperation: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// A new entity, with all its fields.
    case create = 1
    /// The modified fields of an existing entity; followed by a ``full`` in the same transaction.
    case partial = 2
    /// All fields of an existing entity, for clients that need the whole entity.
    case full = 3
    /// The modified fields of an entity whose topics did not change; no ``full`` follows.
    case update = 4
    /// A physical purge; only cache servers act on it (§2.5).
    case delete = 5
    /// Registers the client named by the delta's topics on the entity (§2.6.3).
    case register = 6

    public var description: String {
        switch self {
        case .create: return "CREATE"
        case .partial: return "PARTIAL"
        case .full: return "FULL"
        case .update: return "UPDATE"
        case .delete: return "DELETE"
        case .register: return "REGISTER"
        }
    }

    /// Parses the upper-case name used in JSON and logs.
    public init?(name: String) {
        guard let found = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = found
    }
}

/// The operation of a second-class (sub-entity) delta.
public enum SubEntityOperation: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case create = 1
    case update = 2
    case delete = 3

    public var description: String {
        switch self {
        case .create: return "CREATE"
        case .update: return "UPDATE"
        case .delete: return "DELETE"
        }
    }

    /// Parses the upper-case name used in JSON and logs.
    public init?(name: String) {
        guard let found = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = found
    }
}
