/// The JSON shapes of ``DeltaBufferJSON``; field values stay untyped until checked against the schema.
extension DeltaBufferJSON {
    struct WireBuffer: Decodable, Equatable {
        var schemaName: String
        var originSite: String
        var sequence: Int64
        var deltas: [WireDelta]
    }

    struct WireDelta: Decodable, Equatable {
        var op: String
        var entityClass: String
        var techId: String
        var updateTime: Int64
        var topics: String
        var oldTopics: String?
        var topicsTime: Int64?
        var inCache: Bool
        var registration: String?
        var fields: [String: WireField]
        var subEntities: [WireSubEntity]

        enum CodingKeys: String, CodingKey {
            case op, entityClass = "class", techId, updateTime, topics, oldTopics, topicsTime, inCache, registration, fields, subEntities
        }

        /// Optional keys may be null or absent; `inCache` defaults to true, collections to empty,
        /// matching ``Delta``'s initializer.
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            op = try container.decode(String.self, forKey: .op)
            entityClass = try container.decode(String.self, forKey: .entityClass)
            techId = try container.decode(String.self, forKey: .techId)
            updateTime = try container.decode(Int64.self, forKey: .updateTime)
            topics = try container.decode(String.self, forKey: .topics)
            oldTopics = try container.decodeIfPresent(String.self, forKey: .oldTopics)
            topicsTime = try container.decodeIfPresent(Int64.self, forKey: .topicsTime)
            inCache = try container.decodeIfPresent(Bool.self, forKey: .inCache) ?? true
            registration = try container.decodeIfPresent(String.self, forKey: .registration)
            fields = try container.decodeIfPresent([String: WireField].self, forKey: .fields) ?? [:]
            subEntities = try container.decodeIfPresent([WireSubEntity].self, forKey: .subEntities) ?? []
        }
    }

    struct WireSubEntity: Decodable, Equatable {
        var op: String
        var collection: String
        var techId: String
        var parentId: String
        var fields: [String: WireField]
        var deletedTime: Int64?

        enum CodingKeys: String, CodingKey { case op, collection, techId, parentId, fields, deletedTime }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            op = try container.decode(String.self, forKey: .op)
            collection = try container.decode(String.self, forKey: .collection)
            techId = try container.decode(String.self, forKey: .techId)
            parentId = try container.decode(String.self, forKey: .parentId)
            fields = try container.decodeIfPresent([String: WireField].self, forKey: .fields) ?? [:]
            deletedTime = try container.decodeIfPresent(Int64.self, forKey: .deletedTime)
        }
    }

    struct WireField: Decodable, Equatable {
        var value: WireScalar
        var time: Int64
    }

    /// A JSON scalar as read, before the schema says what it must be.
    enum WireScalar: Decodable, Equatable {
        case null
        case bool(Bool)
        case string(String)
        /// A number, with its exact integer value when it has one.
        case number(Double, integer: Int64?)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .null
            } else if let flag = try? container.decode(Bool.self) {
                self = .bool(flag)
            } else if let text = try? container.decode(String.self) {
                self = .string(text)
            } else if let number = try? container.decode(Double.self) {
                self = .number(number, integer: try? container.decode(Int64.self))
            } else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected null, a boolean, a string or a number")
            }
        }
    }
}
