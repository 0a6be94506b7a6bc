import ArborCore
import ArborTesting
import Testing

@Suite("SchemaEvolution: what counts as additive")
struct SchemaEvolutionTests {
    let v1 = Fixtures.retailSchema
    let v2 = Fixtures.retailSchemaV2

    func changed(_ name: String = "retail-v2", _ edit: (inout [EntityClass]) -> Void) throws -> DistributionSchema {
        var classes = v1.classes
        edit(&classes)
        return try DistributionSchema(name: name, classes: classes)
    }

    @Test("new nullable fields, collections at any depth and classes are additive, and listed")
    func additionsAreListed() throws {
        let additions = try SchemaEvolution.additions(from: v1, to: v2)
        #expect(additions.classes == ["Supplier"])
        #expect(additions.classFields["Customer"]?.map(\.name) == ["phone"])
        #expect(additions.collections == [SchemaEvolution.CollectionPath(entityClass: "Customer", path: "notes")])
        #expect(additions.collectionFields.isEmpty)

        let nested = try changed { classes in
            classes[1].collections[0].collections.append(SubEntityCollection(name: "discounts", fields: [FieldDefinition(name: "rate", type: .double)]))
            classes[1].collections[0].fields.append(FieldDefinition(name: "note", type: .text, nullable: true))
        }
        let deeper = try SchemaEvolution.additions(from: v1, to: nested)
        #expect(deeper.collections == [SchemaEvolution.CollectionPath(entityClass: "Order", path: "lines.discounts")])
        #expect(deeper.collectionFields[SchemaEvolution.CollectionPath(entityClass: "Order", path: "lines")]?.map(\.name) == ["note"])
    }

    @Test("order does not matter: each buffer is decoded with its own schema")
    func reorderingIsAdditive() throws {
        let reordered = try changed { $0.reverse(); $0[1].fields.reverse() }
        #expect(try SchemaEvolution.additions(from: v1, to: reordered).isEmpty)
    }

    @Test("the same schema is no change; the same name with other content is refused")
    func sameName() throws {
        #expect(try SchemaEvolution.additions(from: v1, to: v1).isEmpty)
        let edited = try changed("retail-v1") { $0[0].fields.append(FieldDefinition(name: "phone", type: .text, nullable: true)) }
        #expect(throws: SchemaEvolutionError(.sameNameChanged, "schema 'retail-v1' differs from the stored schema of the same name: a changed schema needs a new name (e.g. 'retail-v1-next')")) {
            try SchemaEvolution.additions(from: v1, to: edited)
        }
    }

    @Test("removing, renaming, retyping or changing nullability is refused, each change named")
    func nonAdditiveChangesAreRefused() throws {
        let cases: [(String, (inout [EntityClass]) -> Void)] = [
            ("class 'Customer' is removed or renamed", { $0.remove(at: 0) }),
            ("field 'Customer.email' is removed or renamed", { $0[0].fields.remove(at: 1) }),
            ("field 'Customer.vip' changes type from bool to int", { $0[0].fields[3].type = .int }),
            ("field 'Customer.name' changes from not nullable to nullable", { $0[0].fields[0].nullable = true }),
            ("field 'Customer.email' changes from nullable to not nullable", { $0[0].fields[1].nullable = false }),
            ("new field 'Customer.phone' must be nullable", { $0[0].fields.append(FieldDefinition(name: "phone", type: .text)) }),
            ("collection 'Order.lines.taxes' is removed or renamed", { $0[1].collections[0].collections.removeAll() }),
            ("field 'Order.lines.price' changes type from double to text", { $0[1].collections[0].fields[2].type = .text }),
            ("new field 'Order.lines.note' must be nullable", { $0[1].collections[0].fields.append(FieldDefinition(name: "note", type: .text)) }),
        ]
        for (problem, edit) in cases {
            let newer = try changed("retail-v2", edit)
            do throws(SchemaEvolutionError) {
                _ = try SchemaEvolution.additions(from: v1, to: newer)
                Issue.record("accepted although \(problem)")
            } catch {
                #expect(error.code == .notAdditive)
                #expect(error.message.contains(problem), "\(error.message)")
                #expect(error.message.hasPrefix("schema 'retail-v2' cannot follow 'retail-v1': "))
            }
        }
    }

    @Test("an unrelated schema is refused with every missing class")
    func unrelatedSchema() throws {
        let other = try DistributionSchema(name: "crm-v1", classes: [EntityClass(name: "Lead", fields: [])])
        #expect(throws: SchemaEvolutionError.self) { try SchemaEvolution.additions(from: v1, to: other) }
        do { _ = try SchemaEvolution.additions(from: v1, to: other) } catch {
            #expect(error.message.contains("class 'Customer' is removed or renamed; class 'Order' is removed or renamed"))
        }
    }
}
