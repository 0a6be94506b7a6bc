extension RegistrationChange {
    /// Every change, in the order of their wire codes (1…4; 0 means "no change").
    static let codecOrder: [RegistrationChange] = [.registerIfUnregistered, .desynchronize, .synchronize, .unregister]

    /// The byte written for this change in a delta buffer (never 0, which means none).
    var wireCode: UInt8 {
        switch self {
        case .registerIfUnregistered: return 1
        case .desynchronize: return 2
        case .synchronize: return 3
        case .unregister: return 4
        }
    }

    /// The name used in the JSON form: the case name.
    var wireName: String {
        switch self {
        case .registerIfUnregistered: return "registerIfUnregistered"
        case .desynchronize: return "desynchronize"
        case .synchronize: return "synchronize"
        case .unregister: return "unregister"
        }
    }

    /// The change written as `code`; nil for an unknown code.
    init?(wireCode code: UInt8) {
        guard let found = Self.codecOrder.first(where: { $0.wireCode == code }) else { return nil }
        self = found
    }

    /// The change named `name` in the JSON form; nil for an unknown name.
    init?(wireName name: String) {
        guard let found = Self.codecOrder.first(where: { $0.wireName == name }) else { return nil }
        self = found
    }
}
