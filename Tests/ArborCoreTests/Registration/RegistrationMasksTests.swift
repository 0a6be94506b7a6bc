import ArborCore
import ArborTesting
import Testing

@Suite("RegistrationMasks")
struct RegistrationMasksTests {
    static let edgeBits = [0, 63]
    static let states = RegistrationState.allCases
    static let changes: [RegistrationChange] = [.registerIfUnregistered, .desynchronize, .synchronize, .unregister]

    /// Masks where every bit except `bit` is in a known mixed state, to catch stray writes.
    private func background(except bit: ClientBit) -> RegistrationMasks {
        var masks = RegistrationMasks()
        for number in [1, 2, 31, 62] where number != bit.number {
            masks.set(RegistrationState.allCases[number % 3], for: ClientBit(number)!)
        }
        return masks
    }

    @Test("set moves a bit between any two states and leaves the others alone",
          arguments: edgeBits, states)
    func transitions(_ number: Int, _ from: RegistrationState) throws {
        let bit = try #require(ClientBit(number))
        for to in RegistrationState.allCases {
            var masks = background(except: bit)
            let before = masks
            masks.set(from, for: bit)
            #expect(masks.state(of: bit) == from)
            masks.set(to, for: bit)
            #expect(masks.state(of: bit) == to, "\(bit): \(from) → \(to)")
            #expect(masks.synced & ~masks.registered == 0)
            #expect(masks.registered & ~bit.mask == before.registered & ~bit.mask)
            #expect(masks.synced & ~bit.mask == before.synced & ~bit.mask)
        }
    }

    @Test("apply follows RegistrationChange.applied(to:) on bits 0 and 63", arguments: edgeBits, changes)
    func applyChange(_ number: Int, _ change: RegistrationChange) throws {
        let bit = try #require(ClientBit(number))
        for from in RegistrationState.allCases {
            var masks = background(except: bit)
            masks.set(from, for: bit)
            masks.apply(change, for: bit)
            #expect(masks.state(of: bit) == change.applied(to: from), "\(change) on \(from) at \(bit)")
        }
    }

    @Test("init from stored values keeps synced ⊆ registered")
    func initDropsStraySyncedBits() {
        var generator = SeededGenerator(seed: 0xA11CE)
        for _ in 0..<200 {
            let registered = generator.next()
            let synced = generator.next()
            let masks = RegistrationMasks(registered: registered, synced: synced)
            #expect(masks.synced & ~masks.registered == 0, "registered \(registered) synced \(synced)")
            #expect(masks.registered == registered && masks.synced == synced & registered)
        }
        let full = RegistrationMasks(registered: 0, synced: .max)
        #expect(full.synced == 0 && full.isEmpty)
    }

    @Test("registeredBits lists registered bits in ascending order")
    func registeredBits() throws {
        let masks = RegistrationMasks(registered: 1 | 1 << 5 | 1 << 63, synced: 1 << 5)
        #expect(masks.registeredBits.map(\.number) == [0, 5, 63])
        #expect(masks.state(of: try #require(ClientBit(5))) == .synchronized)
        #expect(masks.state(of: try #require(ClientBit(63))) == .unsynchronized)
        #expect(RegistrationMasks.none.registeredBits.isEmpty && RegistrationMasks.none.isEmpty)
    }

    @Test("random changes on random bits match a reference array of 64 states")
    func matchesReference() throws {
        for seed in UInt64(1)...UInt64(20) {
            var generator = SeededGenerator(seed: seed)
            var masks = RegistrationMasks()
            var reference = Array(repeating: RegistrationState.unregistered, count: 64)
            for step in 0..<50 {
                let number = Int(generator.next() % 64)
                let bit = try #require(ClientBit(number))
                if generator.next() % 4 == 0 {
                    let state = RegistrationState.allCases[Int(generator.next() % 3)]
                    masks.set(state, for: bit)
                    reference[number] = state
                } else {
                    let change = Self.changes[Int(generator.next() % 4)]
                    masks.apply(change, for: bit)
                    reference[number] = change.applied(to: reference[number])
                }
                let actual = (0..<64).map { masks.state(of: ClientBit($0)!) }
                guard actual == reference else {
                    Issue.record("seed \(seed) step \(step) bit \(number): masks \(actual) ≠ reference \(reference)")
                    return
                }
                #expect(masks.synced & ~masks.registered == 0)
                #expect(masks.registeredBits.map(\.number) == reference.indices.filter { reference[$0] != .unregistered })
            }
        }
    }
}
