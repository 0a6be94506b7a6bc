/// `POST …/cache/entity-load` (`arbor verify --repair`): the named entities, whole, as the site
/// holds them (logically deleted ones included), limited to those `slice` selects in steady
/// state (the same selection as `…/cache/digests`). Registrations do not change.
public struct EntityLoadRequest: Codable, Hashable, Sendable {
    public var slice: String
    public var entities: [EntityRef]

    public init(slice: String, entities: [EntityRef]) {
        self.slice = slice
        self.entities = entities
    }
}
