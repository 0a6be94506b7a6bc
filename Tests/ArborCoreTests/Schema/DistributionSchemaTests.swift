import ArborCore
import ArborTesting
import Testing

@Suite("DistributionSchema model")
struct DistributionSchemaTests {
    let schema = Fixtures.retailSchema

    @Test("collection paths are listed in pre-order with dotted paths")
    func collectionPathsPreOrder() throws {
        let nested = try DistributionSchema(name: "tree-v1", classes: [
            EntityClass(name: "Root", fields: [], collections: [
                SubEntityCollection(name: "a", fields: [], collections: [
                    SubEntityCollection(name: "b", fields: [], collections: [SubEntityCollection(name: "c", fields: [])]),
                    SubEntityCollection(name: "d", fields: []),
                ]),
                SubEntityCollection(name: "e", fields: []),
            ])
        ])
        #expect(nested.classes[0].collectionPaths.map(\.path) == ["a", "a.b", "a.b.c", "a.d", "e"])
        #expect(schema.entityClass(named: "Order")?.collectionPaths.map(\.path) == ["lines", "lines.taxes"])
        #expect(schema.entityClass(named: "Customer")?.collectionPaths.isEmpty == true)
        #expect(nested.classes[0].collection(atPath: "a.b.c")?.name == "c")
        #expect(nested.classes[0].collection(atPath: "c") == nil)
    }

    @Test("stored fields start with the deleted flag, then the declared fields in order")
    func storedFields() throws {
        let customer = try #require(schema.entityClass(named: "Customer"))
        #expect(customer.storedFields.map(\.name) == ["deleted", "name", "email", "creditLimit", "vip"])
        #expect(customer.storedFields.first == .deleted)
        #expect(customer.field(named: "deleted")?.type == .bool)
        #expect(customer.field(named: "missing") == nil)
    }

    @Test("unknown classes are reported with the schema name")
    func requireClass() {
        #expect(throws: SchemaError.unknownClass("Invoice", schema: "retail-v1")) { try schema.requireClass("Invoice") }
        #expect((try? schema.requireClass("Order"))?.name == "Order")
    }

    @Test("the initializer validates", arguments: [
        ("", [EntityClass(name: "A", fields: [])], SchemaError.invalidSchemaName("")),
        ("s-v1", [], .noClasses),
        ("s-v1", [EntityClass(name: "A", fields: []), EntityClass(name: "a", fields: [])], .duplicateName("a", in: "schema")),
        ("s-v1", [EntityClass(name: "A", fields: [FieldDefinition(name: "techId", type: .uuid)])], .reservedFieldName("techId", in: "A")),
    ])
    func initializerValidates(name: String, classes: [EntityClass], expected: SchemaError) {
        #expect(throws: expected) { try DistributionSchema(name: name, classes: classes) }
    }
}
