import Foundation

extension DeltaBufferCodec {
    /// Reads everything after the header; the reader stands at offset 13 and the CRC is checked.
    static func decodeBody(_ reader: inout ByteReader, schema: DistributionSchema) throws(DeltaCodecError) -> DeltaBuffer {
        let schemaName = try reader.readString("schema name")
        guard schemaName == schema.name else { throw .schemaMismatch(expected: schema.name, found: schemaName) }
        let originSite = try reader.readString("origin site")
        let sequence = try reader.readInt64("sequence")
        let count = try reader.readCount("delta count")
        var deltas: [Delta] = []
        // The count comes from the input: reserve no more than a large buffer's worth up front.
        deltas.reserveCapacity(min(count, 4_096))
        var layouts = ClassLayouts(schema)
        var topics = ParsedTopics()
        for number in 0..<count {
            deltas.append(try decodeDelta(&reader, number: number, layouts: &layouts, topics: &topics))
        }
        guard reader.isAtEnd else {
            throw .malformed("\(reader.remaining) trailing bytes after the last delta at offset \(reader.offset)")
        }
        return DeltaBuffer(schemaName: schemaName, originSite: originSite, sequence: sequence, deltas: deltas)
    }

    private static func decodeDelta(
        _ reader: inout ByteReader, number: Int, layouts: inout ClassLayouts, topics parsedTopics: inout ParsedTopics
    ) throws(DeltaCodecError) -> Delta {
        let schema = layouts.schema
        var context = DeltaPlace(number: number)
        let opByte = try reader.readUInt8("operation of \(context)")
        guard let operation = DeltaOperation(rawValue: opByte) else { throw .malformed("\(context): unknown operation byte \(opByte)") }
        let classIndex = try reader.readVarint("class index of \(context)")
        guard classIndex < UInt64(schema.classes.count) else {
            throw .malformed("\(context): class index \(classIndex) is out of range (schema '\(schema.name)' has \(schema.classes.count) classes)")
        }
        let layout = layouts.layout(at: Int(classIndex))
        let entityClass = layout.entityClass
        context.operation = operation
        context.className = entityClass.name
        let techId = try reader.readUUID("techId of \(context)")
        let base = try reader.readSignedVarint("updateTime of \(context)")
        let topics = try readTopics(&reader, parsed: &parsedTopics, what: "topics of \(context)")
        let oldTopics = try readFlag(&reader, what: "oldTopics presence of \(context)")
            ? try readTopics(&reader, parsed: &parsedTopics, what: "oldTopics of \(context)") : nil
        let topicsTime = try readFlag(&reader, what: "topicsTime presence of \(context)")
            ? HybridTimestamp(microseconds: base &+ (try reader.readSignedVarint("topicsTime of \(context)"))) : nil
        let inCache = try readFlag(&reader, what: "inCache of \(context)")
        let registrationByte = try reader.readUInt8("registration of \(context)")
        let registration: RegistrationChange?
        if registrationByte == 0 {
            registration = nil
        } else if let change = RegistrationChange(wireCode: registrationByte) {
            registration = change
        } else {
            throw .malformed("\(context): unknown registration change byte \(registrationByte)")
        }
        let fields = try decodeFields(&reader, definitions: layout.storedFields, base: base, context: context)

        let paths = layout.collections
        let subCount = try reader.readCount("sub-entity count of \(context)")
        var subEntities: [SubEntityDelta] = []
        for subNumber in 0..<subCount {
            let subContext = context.sub(subNumber)
            let subOpByte = try reader.readUInt8("operation of \(subContext)")
            guard let subOperation = SubEntityOperation(rawValue: subOpByte) else {
                throw .malformed("\(subContext): unknown operation byte \(subOpByte)")
            }
            let collectionIndex = try reader.readVarint("collection index of \(subContext)")
            guard collectionIndex < UInt64(paths.count) else {
                throw .malformed("\(subContext): collection index \(collectionIndex) is out of range ('\(entityClass.name)' has \(paths.count) collections)")
            }
            let (path, collection) = paths[Int(collectionIndex)]
            let subTechId = try reader.readUUID("techId of \(subContext)")
            let parentId = try reader.readUUID("parentId of \(subContext)")
            let deletedTime = try readFlag(&reader, what: "deletedTime presence of \(subContext)")
                ? HybridTimestamp(microseconds: base &+ (try reader.readSignedVarint("deletedTime of \(subContext)"))) : nil
            let subFields = try decodeFields(&reader, definitions: collection.fields, base: base, context: context.sub(subNumber, path: path))
            subEntities.append(SubEntityDelta(operation: subOperation, collection: path, techId: subTechId, parentId: parentId, fields: subFields, deletedTime: deletedTime))
        }
        return Delta(
            operation: operation, entityClass: entityClass.name, techId: techId, updateTime: HybridTimestamp(microseconds: base),
            topics: topics, oldTopics: oldTopics, topicsTime: topicsTime, inCache: inCache,
            fields: fields, subEntities: subEntities, registration: registration
        )
    }

    private static func decodeFields(
        _ reader: inout ByteReader, definitions: [FieldDefinition], base: Int64, context: DeltaPlace
    ) throws(DeltaCodecError) -> [String: TimedValue] {
        let count = try reader.readCount("field count of \(context)")
        var fields: [String: TimedValue] = [:]
        fields.reserveCapacity(min(count, definitions.count))
        for _ in 0..<count {
            let index = try reader.readVarint("field index of \(context)")
            guard index < UInt64(definitions.count) else {
                throw .malformed("\(context): field index \(index) is out of range (\(definitions.count) fields)")
            }
            let definition = definitions[Int(index)]
            guard fields[definition.name] == nil else {
                throw .malformed("\(context): field '\(definition.name)' (index \(index)) appears twice")
            }
            let time = base &+ (try reader.readSignedVarint("time of field '\(definition.name)' in \(context)"))
            let value = try decodeValue(&reader, definition: definition, context: context)
            fields[definition.name] = TimedValue(value, at: HybridTimestamp(microseconds: time))
        }
        return fields
    }

    private static func decodeValue(_ reader: inout ByteReader, definition: FieldDefinition, context: DeltaPlace) throws(DeltaCodecError) -> FieldValue {
        func what() -> String { "field '\(definition.name)' in \(context)" }
        guard try readFlag(&reader, what: "presence of \(what())") else {
            guard definition.nullable else { throw .invalidAgainstSchema(.nullNotAllowed(field: definition.name), context: context.description) }
            return .null
        }
        switch definition.type {
        case .uuid: return .uuid(try reader.readUUID(what()))
        case .text, .json:
            let text = try reader.readString(what())
            // Encoding refuses NUL in text and json values (FieldValue.check): so does decoding,
            // or a buffer from the wire could carry what no site can store (issue 11 item 7).
            // In UTF-8 the byte 0 is the NUL scalar and nothing else.
            if text.utf8.contains(0) { throw .invalidAgainstSchema(.nulCharacter(field: definition.name), context: context.description) }
            return definition.type == .text ? .text(text) : .json(text)
        case .int:
            let offset = reader.offset
            guard let number = Int32(exactly: try reader.readSignedVarint(what())) else {
                throw .malformed("\(what()) at offset \(offset) does not fit a 32-bit int")
            }
            return .int(number)
        case .bigint: return .bigint(try reader.readSignedVarint(what()))
        case .timestamp: return .timestamp(try reader.readSignedVarint(what()))
        case .double: return .double(Double(bitPattern: try reader.readUInt64(what())))
        case .bool: return .bool(try readFlag(&reader, what: what()))
        case .bytes: return .bytes(Data(try reader.readLengthPrefixedBytes(what())))
        }
    }

    /// Reads a byte that must be 0 (false) or 1 (true).
    private static func readFlag(_ reader: inout ByteReader, what: @autoclosure () -> String) throws(DeltaCodecError) -> Bool {
        let offset = reader.offset
        switch try reader.readUInt8(what()) {
        case 0: return false
        case 1: return true
        case let other: throw .malformed("\(what()) at offset \(offset) is \(other), expected 0 or 1")
        }
    }

    private static func readTopics(
        _ reader: inout ByteReader, parsed: inout ParsedTopics, what: @autoclosure () -> String
    ) throws(DeltaCodecError) -> TopicsList {
        let text = try reader.readString(what())
        do {
            return try parsed.list(text)
        } catch {
            throw .malformed("\(what()) is not a valid topics list: \(error)")
        }
    }
}
