import ArborCore
import Testing

@Suite struct FieldValueTests {
    let text = FieldDefinition(name: "note", type: .text, nullable: true)

    @Test func acceptsItsTypeAndNullWhenNullable() throws {
        try FieldValue.text("ok").check(against: text)
        try FieldValue.null.check(against: text)
    }

    @Test func refusesAnotherTypeAndNullWhenNotNullable() {
        #expect(throws: SchemaError.typeMismatch(field: "note", expected: .text, found: "int")) { try FieldValue.int(1).check(against: text) }
        let required = FieldDefinition(name: "name", type: .text)
        #expect(throws: SchemaError.nullNotAllowed(field: "name")) { try FieldValue.null.check(against: required) }
    }

    @Test(arguments: [FieldValue.text("a\u{0}b"), .json("{\"a\":\"\u{0}\"}")])
    func refusesNULInTextAndJSON(value: FieldValue) {
        let field = FieldDefinition(name: "note", type: value.type ?? .text)
        #expect(throws: SchemaError.nulCharacter(field: "note")) { try value.check(against: field) }
    }
}
