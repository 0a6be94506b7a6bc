/// One entity's registrations for all 64 client bits: `registered` and `synced ⊆ registered`.
public struct RegistrationMasks: Hashable, Sendable {
    /// Bits of clients registered on the entity (synchronized or not).
    public private(set) var registered: UInt64
    /// Bits of clients registered as synchronized; always a subset of `registered`.
    public private(set) var synced: UInt64

    /// No client registered.
    public static let none = RegistrationMasks()

    public init() {
        registered = 0
        synced = 0
    }

    /// Builds masks from stored values, dropping synced bits that are not registered.
    public init(registered: UInt64, synced: UInt64) {
        self.registered = registered
        self.synced = synced & registered
    }

    /// The state of `bit`.
    public func state(of bit: ClientBit) -> RegistrationState {
        if synced & bit.mask != 0 { return .synchronized }
        if registered & bit.mask != 0 { return .unsynchronized }
        return .unregistered
    }

    /// Sets the state of `bit`.
    public mutating func set(_ state: RegistrationState, for bit: ClientBit) {
        switch state {
        case .unregistered:
            registered &= ~bit.mask
            synced &= ~bit.mask
        case .unsynchronized:
            registered |= bit.mask
            synced &= ~bit.mask
        case .synchronized:
            registered |= bit.mask
            synced |= bit.mask
        }
    }

    /// Applies `change` to `bit`.
    public mutating func apply(_ change: RegistrationChange, for bit: ClientBit) {
        set(change.applied(to: state(of: bit)), for: bit)
    }

    /// Whether no client is registered.
    public var isEmpty: Bool { registered == 0 }

    /// The bits registered (in either state), in ascending order.
    public var registeredBits: [ClientBit] {
        ClientBit.range.compactMap { number in
            registered & (1 << UInt64(number)) != 0 ? ClientBit(number) : nil
        }
    }
}
