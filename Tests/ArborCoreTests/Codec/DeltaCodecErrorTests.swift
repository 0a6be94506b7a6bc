import ArborCore
import Testing

@Suite("DeltaCodecError")
struct DeltaCodecErrorTests {
    static let codes: [DeltaCodecError.Code] = [
        .truncated, .oversized, .badMagic, .unsupportedVersion, .checksumMismatch, .schemaMismatch, .malformed, .invalidAgainstSchema,
    ]

    @Test("codes are distinct and name themselves")
    func distinctCodes() {
        #expect(Set(Self.codes).count == Self.codes.count)
        #expect(Set(Self.codes.map(\.description)).count == Self.codes.count)
        #expect(DeltaCodecError.Code.schemaMismatch.description == "schemaMismatch")
    }

    @Test("the description carries the code and the message")
    func description() {
        let error = DeltaCodecError.truncated(reading: "sequence", at: 17)
        #expect(error.code == .truncated)
        #expect(error.description.contains("truncated"))
        #expect(error.description.contains("sequence") && error.description.contains("17"))
        let mismatch = DeltaCodecError.schemaMismatch(expected: "retail-v1", found: "retail-v2")
        #expect(mismatch.code == .schemaMismatch)
        #expect(mismatch.message.contains("retail-v1") && mismatch.message.contains("retail-v2"))
        #expect(mismatch != .schemaMismatch(expected: "retail-v1", found: "retail-v3"))
    }

    @Test("schema errors keep their explanation")
    func wrapsSchemaError() {
        let error = DeltaCodecError.invalidAgainstSchema(.nullNotAllowed(field: "status"), context: "delta 2")
        #expect(error.code == .invalidAgainstSchema)
        #expect(error.message == "delta 2: field 'status' is not nullable")
    }
}
