/// `POST …/cache/entity-load`: a targeted load of the named entities, whole, as the site holds
/// them (logically deleted ones included), as of one snapshot.
///
/// - Without `register` (`arbor verify --repair`): limited to those `slice` selects in steady
///   state (the same selection as `…/cache/digests`); registrations do not change.
/// - With `register` (only son sites may ask): every named entity the site holds, whatever the
///   slice selects, and the son becomes registered-synchronized on each (before the snapshot,
///   so no later change of them passes it by). A father asks this of its own father for the
///   entities a son changed that it does not hold, so the son's change is merged, not dropped.
public struct EntityLoadRequest: Codable, Hashable, Sendable {
    public var slice: String
    public var entities: [EntityRef]
    public var register: Bool?

    public init(slice: String, entities: [EntityRef], register: Bool? = nil) {
        self.slice = slice
        self.entities = entities
        self.register = register
    }
}
