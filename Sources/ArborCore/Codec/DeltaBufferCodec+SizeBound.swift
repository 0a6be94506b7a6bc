/// Upper bounds of encoded sizes, so a sender can split deltas into buffers that every
/// receiver accepts (issue 10 item 7) without encoding them twice.
extension DeltaBufferCodec {
    /// At least the encoded size of a buffer's header and trailer with these names: magic,
    /// version, length, CRC, both names (varint length and bytes), sequence and delta count.
    public static func headerSizeBound(schemaName: String, originSite: String) -> Int {
        headerSize + 2 * 10 + schemaName.utf8.count + originSite.utf8.count + 8 + 10
    }

    /// At least the encoded size of `delta` (every varint counted at its longest).
    public static func sizeBound(of delta: Delta) -> Int {
        var size = 1 + 10 + 16 + 10  // operation, class index, techId, updateTime
        size += 10 + delta.topics.formatted.utf8.count
        size += 1 + (delta.oldTopics.map { 10 + $0.formatted.utf8.count } ?? 0)
        size += 1 + 10 + 1 + 1  // topicsTime flag and value, inCache, registration
        size += fieldsBound(delta.fields)
        size += 10
        for sub in delta.subEntities {
            size += 1 + 10 + 16 + 16 + 1 + 10 + fieldsBound(sub.fields)
        }
        return size
    }

    private static func fieldsBound(_ fields: [String: TimedValue]) -> Int {
        var size = 10
        for timed in fields.values {
            size += 10 + 10 + 1 + valueBound(timed.value)
        }
        return size
    }

    private static func valueBound(_ value: FieldValue) -> Int {
        switch value {
        case .null: return 0
        case .uuid: return 16
        case .text(let text), .json(let text): return 10 + text.utf8.count
        case .bytes(let data): return 10 + data.count
        default: return 10
        }
    }
}
