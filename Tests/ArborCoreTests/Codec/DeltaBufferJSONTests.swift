import ArborCore
import ArborTesting
import Foundation
import Testing

@Suite("DeltaBufferJSON")
struct DeltaBufferJSONTests {
    let schema = Fixtures.retailSchema

    func decodeError(_ json: String) -> DeltaCodecError? {
        do {
            _ = try DeltaBufferJSON.decode(Data(json.utf8), schema: schema)
            return nil
        } catch {
            return error
        }
    }

    /// A one-delta JSON buffer on an Order with `fields` spliced in as JSON text.
    func orderJSON(fields: String = "{}", subEntities: String = "[]", op: String = "FULL", extra: String = "") -> String {
        """
        {"schemaName":"retail-v1","originSite":"center","sequence":5,"deltas":[{"op":"\(op)","class":"Order",
         "techId":"00000000-0000-4000-8000-000000000001","updateTime":10,"topics":",A,","fields":\(fields),
         "subEntities":\(subEntities)\(extra)}]}
        """
    }

    @Test("the rich sample round-trips")
    func roundTrip() throws {
        let buffer = DeltaBufferSamples.rich()
        #expect(try DeltaBufferJSON.decode(DeltaBufferJSON.encode(buffer, schema: schema), schema: schema) == buffer)
    }

    @Test("the documented shape: keys, names, explicit nulls, typed values")
    func shape() throws {
        let data = try DeltaBufferJSON.encode(DeltaBufferSamples.rich(), schema: schema)
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(root["schemaName"] as? String == "retail-v1")
        #expect(root["sequence"] as? Int == 42)
        let deltas = try #require(root["deltas"] as? [[String: Any]])
        #expect(deltas.map { $0["op"] as? String } == ["CREATE", "PARTIAL", "REGISTER"])
        #expect(deltas[0]["class"] as? String == "Customer")
        #expect(deltas[0]["oldTopics"] is NSNull)
        #expect(deltas[0]["topicsTime"] as? Int == 1_700_000_000_000_000)
        #expect(deltas[0]["inCache"] as? Bool == false)
        #expect(deltas[1]["oldTopics"] as? String == ",B2,")
        #expect(deltas[2]["registration"] as? String == "synchronize")
        #expect(deltas[2]["topics"] as? String == ",#N3,")
        let fields = try #require(deltas[1]["fields"] as? [String: [String: Any]])
        #expect(fields["attachment"]?["value"] as? String == "AAH/")
        #expect(fields["priority"]?["value"] as? Int == -3)
        #expect(fields["priority"]?["time"] as? Int == 1_700_000_000_000_400)
        let subs = try #require(deltas[1]["subEntities"] as? [[String: Any]])
        #expect(subs.map { $0["collection"] as? String } == ["lines", "lines.taxes", "lines"])
        #expect(subs[0]["parentId"] as? String == Fixtures.id(10).uuidString)
        #expect(String(decoding: data, as: UTF8.self).hasPrefix("{\"deltas\":[{\"class\":\"Customer\""))
    }

    static let edgeValues: [(field: String, value: FieldValue)] = [
        ("number", .bigint(.min)), ("number", .bigint(.max)), ("placedAt", .timestamp(.min)), ("placedAt", .timestamp(.max)),
        ("priority", .int(.min)), ("priority", .int(.max)), ("priority", .null), ("attachment", .bytes(Data())),
        ("attachment", .bytes(Data([0xFB, 0xFF]))), ("status", .text("")), ("status", .text("é \"\\ 🚀 \u{1}")),
        ("extra", .json("{\"k\":1}")), ("customerId", .uuid(Fixtures.id(99))), ("deleted", .bool(true)),
    ]

    @Test("edge values round-trip", arguments: edgeValues)
    func edgeValueRoundTrip(field: String, value: FieldValue) throws {
        var buffer = DeltaBufferSamples.single(.full)
        buffer.deltas[0].entityClass = "Order"
        buffer.deltas[0].fields = [field: TimedValue(value, at: Fixtures.time(.min))]
        #expect(try DeltaBufferJSON.decode(DeltaBufferJSON.encode(buffer, schema: schema), schema: schema) == buffer)
    }

    @Test("doubles: -0.0 keeps its sign, non-finite values travel as strings", arguments: [
        -0.0, .infinity, -.infinity, .nan, 0.1, .greatestFiniteMagnitude, .leastNonzeroMagnitude, 1e300,
    ])
    func doubles(number: Double) throws {
        let buffer = DeltaBufferSamples.single(.update, fields: ["creditLimit": TimedValue(.double(number), at: Fixtures.time(1))])
        let data = try DeltaBufferJSON.encode(buffer, schema: schema)
        let decoded = try DeltaBufferJSON.decode(data, schema: schema)
        #expect(sameBuffer(decoded, buffer, nanPayloads: false))
        if !number.isFinite { #expect(String(decoding: data, as: UTF8.self).contains(number.isNaN ? "\"NaN\"" : "Infinity\"")) }
    }

    @Test("output is deterministic (sorted keys)")
    func deterministic() throws {
        let first = try DeltaBufferJSON.encode(DeltaBufferSamples.rich(), schema: schema)
        var copy = DeltaBufferSamples.rich()
        copy.deltas[0].fields = Dictionary(uniqueKeysWithValues: copy.deltas[0].fields.reversed())
        #expect(try DeltaBufferJSON.encode(copy, schema: schema) == first)
    }

    @Test("omitted optional keys take their defaults")
    func defaults() throws {
        let buffer = try DeltaBufferJSON.decode(Data(orderJSON().utf8), schema: schema)
        let delta = try #require(buffer.deltas.first)
        #expect(delta.inCache && delta.oldTopics == nil && delta.topicsTime == nil && delta.registration == nil)
        #expect(delta.topics == Fixtures.topics("A"))
    }

    static let invalidValues: [(label: String, fields: String)] = [
        ("int above Int32", #"{"priority":{"value":2147483648,"time":1}}"#),
        ("fractional int", #"{"number":{"value":1.5,"time":1}}"#),
        ("bigint beyond Int64", #"{"number":{"value":9223372036854775808,"time":1}}"#),
        ("string in a bigint field", #"{"number":{"value":"12","time":1}}"#),
        ("number in a text field", #"{"status":{"value":12,"time":1}}"#),
        ("bad uuid", #"{"customerId":{"value":"not-a-uuid","time":1}}"#),
        ("bad base64", #"{"attachment":{"value":"***","time":1}}"#),
        ("number in a bool field", #"{"deleted":{"value":1,"time":1}}"#),
        ("null in non-nullable", #"{"status":{"value":null,"time":1}}"#),
        ("unknown field", #"{"colour":{"value":"red","time":1}}"#),
    ]

    @Test("values that do not fit the schema are rejected", arguments: invalidValues)
    func invalidValue(label: String, fields: String) {
        let error = decodeError(orderJSON(fields: fields))
        #expect(error?.code == .invalidAgainstSchema, "\(label): \(String(describing: error))")
    }

    @Test("structural errors are malformed; another schema name is schemaMismatch")
    func structuralErrors() {
        #expect(decodeError("not json")?.code == .malformed)
        #expect(decodeError(#"{"schemaName":"retail-v1"}"#)?.code == .malformed)
        #expect(decodeError(orderJSON(op: "MERGE"))?.code == .malformed)
        #expect(decodeError(orderJSON(extra: #","registration":"sometimes""#))?.code == .malformed)
        #expect(decodeError(orderJSON().replacingOccurrences(of: "\",A,\"", with: "\"A\""))?.code == .malformed)
        #expect(decodeError(orderJSON().replacingOccurrences(of: "00000000-0000-4000-8000-000000000001", with: "x"))?.code == .malformed)
        #expect(decodeError(orderJSON().replacingOccurrences(of: "\"Order\"", with: "\"Invoice\""))?.code == .invalidAgainstSchema)
        #expect(decodeError(orderJSON().replacingOccurrences(of: "retail-v1", with: "retail-v9")) == .schemaMismatch(expected: "retail-v1", found: "retail-v9"))
        let sub = #"[{"op":"CREATE","collection":"taxes","techId":"00000000-0000-4000-8000-000000000002","parentId":"00000000-0000-4000-8000-000000000001"}]"#
        #expect(decodeError(orderJSON(subEntities: sub))?.code == .invalidAgainstSchema)
        #expect(decodeError(orderJSON(subEntities: sub.replacingOccurrences(of: "\"taxes\"", with: "\"lines\"").replacingOccurrences(of: "CREATE", with: "PURGE")))?.code == .malformed)
    }

    @Test("decode error messages never echo field values")
    func messagesHideValues() {
        let error = decodeError(orderJSON(fields: #"{"priority":{"value":"SECRET-VALUE","time":1}}"#))
        #expect(error?.description.contains("priority") == true)
        #expect(error?.description.contains("SECRET-VALUE") == false)
        let malformed = decodeError(orderJSON(fields: #"{"priority":{"value":["SECRET-VALUE"],"time":1}}"#))
        #expect(malformed?.code == .malformed)
        #expect(malformed?.description.contains("SECRET-VALUE") == false)
    }
}
