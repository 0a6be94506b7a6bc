/// The value types a distributed field can have.
public enum FieldType: String, Codable, Hashable, Sendable, CaseIterable {
    case uuid, text, int, bigint, double, bool, timestamp, bytes, json
}

/// One field of an entity class or sub-entity collection.
public struct FieldDefinition: Codable, Hashable, Sendable {
    public var name: String
    public var type: FieldType
    public var nullable: Bool

    public init(name: String, type: FieldType, nullable: Bool = false) {
        self.name = name
        self.type = type
        self.nullable = nullable
    }

    enum CodingKeys: String, CodingKey { case name, type, nullable }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        type = try container.decode(FieldType.self, forKey: .type)
        nullable = try container.decodeIfPresent(Bool.self, forKey: .nullable) ?? false
    }

    /// The logical-delete flag every entity carries (DESIGN rule 8); merged like any field.
    public static let deleted = FieldDefinition(name: "deleted", type: .bool, nullable: false)
}
