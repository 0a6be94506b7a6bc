import ArborCore
import ArborTesting
import Foundation
import Testing

@Suite struct ExampleSchemaTests {
    static let schemaFile = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Schemas/example-retail.schema.json")

    @Test func embeddedTextIsTheShippedFile() throws {
        let file = try String(contentsOf: Self.schemaFile, encoding: .utf8)
        #expect(file.trimmingCharacters(in: .whitespacesAndNewlines) == DistributionSchema.exampleRetailJSON)
    }

    @Test func embeddedSchemaEqualsTheFixtureBuiltInCode() {
        #expect(DistributionSchema.exampleRetail == Fixtures.retailSchema)
    }

    @Test func storedFieldsStartWithTheDeletedFlag() throws {
        let order = try DistributionSchema.exampleRetail.requireClass("Order")
        #expect(order.storedFields.first == .deleted)
        #expect(order.storedFields.count == order.fields.count + 1)
        #expect(order.field(named: "deleted") == .deleted)
    }

    @Test func nestedCollectionsHaveDottedPaths() throws {
        let order = try DistributionSchema.exampleRetail.requireClass("Order")
        #expect(order.collectionPaths.map(\.path) == ["lines", "lines.taxes"])
        #expect(order.collection(atPath: "lines.taxes")?.field(named: "rate")?.type == .double)
    }

    @Test func unknownClassIsAClearError() {
        #expect(throws: SchemaError.unknownClass("Invoice", schema: "retail-v1")) {
            try DistributionSchema.exampleRetail.requireClass("Invoice")
        }
    }
}
