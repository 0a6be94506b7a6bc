import ArborCore
import Foundation

/// Shared fixtures for tests: the example schema of `Schemas/` and small builders.
public enum Fixtures {
    /// The `retail-v1` example schema, the same as `Schemas/example-retail.schema.json`.
    public static let retailSchema: DistributionSchema = {
        do {
            return try DistributionSchema(name: "retail-v1", classes: [
                EntityClass(name: "Customer", fields: [
                    FieldDefinition(name: "name", type: .text),
                    FieldDefinition(name: "email", type: .text, nullable: true),
                    FieldDefinition(name: "creditLimit", type: .double, nullable: true),
                    FieldDefinition(name: "vip", type: .bool),
                ]),
                EntityClass(
                    name: "Order",
                    fields: [
                        FieldDefinition(name: "customerId", type: .uuid),
                        FieldDefinition(name: "number", type: .bigint),
                        FieldDefinition(name: "status", type: .text),
                        FieldDefinition(name: "priority", type: .int, nullable: true),
                        FieldDefinition(name: "placedAt", type: .timestamp),
                        FieldDefinition(name: "attachment", type: .bytes, nullable: true),
                        FieldDefinition(name: "extra", type: .json, nullable: true),
                    ],
                    collections: [
                        SubEntityCollection(
                            name: "lines",
                            fields: [
                                FieldDefinition(name: "sku", type: .text),
                                FieldDefinition(name: "quantity", type: .int),
                                FieldDefinition(name: "price", type: .double),
                            ],
                            collections: [
                                SubEntityCollection(name: "taxes", fields: [
                                    FieldDefinition(name: "code", type: .text),
                                    FieldDefinition(name: "rate", type: .double),
                                ])
                            ]
                        )
                    ]
                ),
            ])
        } catch {
            fatalError("the built-in example schema is invalid: \(error)")
        }
    }()

    /// A topics list from entries known to be valid.
    public static func topics(_ entries: String...) -> TopicsList {
        do { return try TopicsList(entries) } catch { fatalError("invalid fixture topics \(entries): \(error)") }
    }

    /// A time `micros` microseconds after the epoch.
    public static func time(_ micros: Int64) -> HybridTimestamp { HybridTimestamp(microseconds: micros) }

    /// A deterministic UUID whose last bytes are `n` (readable in failures).
    public static func id(_ n: Int) -> UUID {
        UUID(uuidString: String(format: "00000000-0000-4000-8000-%012X", n))!
    }
}
