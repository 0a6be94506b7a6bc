extension DeltaBufferCodec {
    /// Checks `delta` against the schema (``Delta/validate(against:)``, with the same errors in
    /// the same order) while appending its encoding.
    static func encode(_ delta: Delta, number: Int, layouts: inout ClassLayouts, into writer: inout ByteWriter) throws(DeltaCodecError) {
        let schema = layouts.schema
        let context = DeltaPlace(number: number, operation: delta.operation, className: delta.entityClass)
        guard let classIndex = layouts.classIndex(named: delta.entityClass) else {
            throw .invalidAgainstSchema(.unknownClass(delta.entityClass, schema: schema.name), context: context.description)
        }
        let layout = layouts.layout(at: classIndex)
        let base = delta.updateTime.microseconds
        writer.writeUInt8(delta.operation.rawValue)
        writer.writeVarint(classIndex)
        writer.writeUUID(delta.techId)
        writer.writeSignedVarint(base)
        writer.writeString(delta.topics.formatted)
        writer.writeUInt8(delta.oldTopics == nil ? 0 : 1)
        if let oldTopics = delta.oldTopics { writer.writeString(oldTopics.formatted) }
        writer.writeUInt8(delta.topicsTime == nil ? 0 : 1)
        if let topicsTime = delta.topicsTime { writer.writeSignedVarint(topicsTime.microseconds &- base) }
        writer.writeUInt8(delta.inCache ? 1 : 0)
        writer.writeUInt8(delta.registration?.wireCode ?? 0)
        try encodeFields(
            delta.fields, definitions: layout.storedFields, indexes: layout.fieldIndexes, owner: layout.entityClass.name,
            base: base, context: context, into: &writer
        )

        writer.writeVarint(delta.subEntities.count)
        for (subNumber, sub) in delta.subEntities.enumerated() {
            // Errors name the delta, not the sub-entity, as ``Delta/validate(against:)`` reports them.
            guard let collectionIndex = layout.collectionIndexes[sub.collection] else {
                throw .invalidAgainstSchema(.unknownCollection(sub.collection, in: layout.entityClass.name), context: context.description)
            }
            writer.writeUInt8(sub.operation.rawValue)
            writer.writeVarint(collectionIndex)
            writer.writeUUID(sub.techId)
            writer.writeUUID(sub.parentId)
            writer.writeUInt8(sub.deletedTime == nil ? 0 : 1)
            if let deletedTime = sub.deletedTime { writer.writeSignedVarint(deletedTime.microseconds &- base) }
            try encodeFields(
                sub.fields, definitions: layout.collections[collectionIndex].collection.fields, indexes: layout.collectionFieldIndexes[collectionIndex],
                owner: "\(layout.entityClass.name).\(sub.collection)", base: base, context: context, into: &writer
            )
        }
    }

    /// Appends `fields` sorted by their index in `definitions`, so equal deltas give equal bytes.
    /// `owner` names the class (or `Class.collection`) in an unknown field's error.
    private static func encodeFields(
        _ fields: [String: TimedValue], definitions: [FieldDefinition], indexes: [String: Int], owner: @autoclosure () -> String,
        base: Int64, context: DeltaPlace, into writer: inout ByteWriter
    ) throws(DeltaCodecError) {
        var indexed: [(index: Int, timed: TimedValue)] = []
        indexed.reserveCapacity(fields.count)
        for (name, timed) in fields {
            guard let index = indexes[name] else {
                throw .invalidAgainstSchema(.unknownField(name, in: owner()), context: context.description)
            }
            do {
                try timed.value.check(against: definitions[index])
            } catch {
                throw .invalidAgainstSchema(error, context: context.description)
            }
            indexed.append((index, timed))
        }
        indexed.sort { $0.index < $1.index }
        writer.writeVarint(indexed.count)
        for (index, timed) in indexed {
            writer.writeVarint(index)
            writer.writeSignedVarint(timed.time.microseconds &- base)
            encodeValue(timed.value, into: &writer)
        }
    }

    /// Appends the presence byte and the type-driven encoding of `value`.
    private static func encodeValue(_ value: FieldValue, into writer: inout ByteWriter) {
        if case .null = value {
            writer.writeUInt8(0)
            return
        }
        writer.writeUInt8(1)
        switch value {
        case .null: break  // handled above
        case .uuid(let id): writer.writeUUID(id)
        case .text(let text), .json(let text): writer.writeString(text)
        case .int(let number): writer.writeSignedVarint(Int64(number))
        case .bigint(let number), .timestamp(let number): writer.writeSignedVarint(number)
        case .double(let number): writer.writeUInt64(number.bitPattern)
        case .bool(let flag): writer.writeUInt8(flag ? 1 : 0)
        case .bytes(let data): writer.writeLengthPrefixedBytes(data)
        }
    }
}
