import ArborCore
import ArborTesting
import Foundation
import Testing

@Suite("DistributionSchema JSON")
struct DistributionSchemaJSONTests {
    /// `Schemas/example-retail.schema.json`, found from this file's location in the package.
    static let exampleFile = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Schemas/example-retail.schema.json")

    func decode(_ json: String) throws(SchemaError) -> DistributionSchema {
        try DistributionSchema.decodeJSON(Data(json.utf8))
    }

    @Test("the example schema file equals Fixtures.retailSchema")
    func exampleFileMatchesFixture() throws {
        let data = try Data(contentsOf: Self.exampleFile)
        #expect(try DistributionSchema.decodeJSON(data) == Fixtures.retailSchema)
    }

    @Test("encodeJSON then decodeJSON gives the same schema, and stable text")
    func roundTrip() throws {
        let encoded = Fixtures.retailSchema.encodeJSON()
        #expect(try DistributionSchema.decodeJSON(encoded) == Fixtures.retailSchema)
        #expect(try DistributionSchema.decodeJSON(encoded).encodeJSON() == encoded)
        #expect(String(decoding: encoded, as: UTF8.self).contains("\"nullable\" : true"))
    }

    @Test("optional keys take defaults: collections empty, nullable false")
    func defaults() throws {
        let schema = try decode(#"{"name":"s-v1","classes":[{"name":"A","fields":[{"name":"x","type":"int"}]}]}"#)
        #expect(schema.classes[0].collections.isEmpty)
        #expect(schema.classes[0].fields[0] == FieldDefinition(name: "x", type: .int, nullable: false))
    }

    static let malformedFiles: [(label: String, json: String)] = [
        ("missing key", #"{"name":"s-v1","classes":[{"name":"A"}]}"#),
        ("bad type name", #"{"name":"s-v1","classes":[{"name":"A","fields":[{"name":"x","type":"integer"}]}]}"#),
        ("not JSON", "{"),
        ("classes not an array", #"{"name":"s-v1","classes":{}}"#),
    ]

    @Test("structurally wrong files are malformedFile errors naming the place", arguments: malformedFiles)
    func malformed(label: String, json: String) {
        do {
            _ = try decode(json)
            Issue.record("\(label): accepted")
        } catch {
            guard case .malformedFile(let detail) = error else {
                Issue.record("\(label): expected malformedFile, got \(error)")
                return
            }
            #expect(!detail.isEmpty, "\(label)")
        }
    }

    @Test("missing key errors say which key")
    func missingKeyDetail() {
        #expect(throws: SchemaError.malformedFile("missing key 'fields' at classes[0]")) {
            try decode(#"{"name":"s-v1","classes":[{"name":"A"}]}"#)
        }
    }

    static let invalidSchemas: [(json: String, expected: SchemaError)] = [
        (#"{"name":"s-v1","classes":[]}"#, .noClasses),
        (#"{"name":"s-v1","classes":[{"name":"A","fields":[]},{"name":"A","fields":[]}]}"#, .duplicateName("A", in: "schema")),
        (#"{"name":"s-v1","classes":[{"name":"A","fields":[{"name":"x","type":"int"},{"name":"X","type":"text"}]}]}"#, .duplicateName("X", in: "A")),
        (#"{"name":"s-v1","classes":[{"name":"A","fields":[{"name":"topics","type":"text"}]}]}"#, .reservedFieldName("topics", in: "A")),
        (#"{"name":"s-v1","classes":[{"name":"1A","fields":[]}]}"#, .invalidIdentifier("1A", kind: "class")),
        (#"{"name":"s-v1","classes":[{"name":"A","fields":[{"name":"a-b","type":"int"}]}]}"#, .invalidIdentifier("a-b", kind: "field")),
        (#"{"name":"s v1","classes":[{"name":"A","fields":[]}]}"#, .invalidSchemaName("s v1")),
        (#"{"name":"s-v1","classes":[{"name":"A","fields":[],"collections":[{"name":"c","fields":[{"name":"parentId","type":"uuid"}]}]}]}"#,
         .reservedFieldName("parentId", in: "A.c")),
    ]

    @Test("semantic errors are reported precisely", arguments: invalidSchemas)
    func invalid(json: String, expected: SchemaError) {
        #expect(throws: expected) { try decode(json) }
    }
}
