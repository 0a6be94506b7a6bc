import ArborCore
import Testing

/// The expected effect of each change on each state (§2.1.3, §2.6.3, DESIGN rule 6).
struct ChangeRow: Sendable, CustomTestStringConvertible {
    let change: RegistrationChange
    let from: RegistrationState
    let to: RegistrationState
    var testDescription: String { "\(change) on \(from) → \(to)" }
}

@Suite("RegistrationChange")
struct RegistrationStateTests {
    static let rows: [ChangeRow] = [
        ChangeRow(change: .registerIfUnregistered, from: .unregistered, to: .unsynchronized),
        ChangeRow(change: .registerIfUnregistered, from: .unsynchronized, to: .unsynchronized),
        ChangeRow(change: .registerIfUnregistered, from: .synchronized, to: .synchronized),
        ChangeRow(change: .desynchronize, from: .unregistered, to: .unsynchronized),
        ChangeRow(change: .desynchronize, from: .unsynchronized, to: .unsynchronized),
        ChangeRow(change: .desynchronize, from: .synchronized, to: .unsynchronized),
        ChangeRow(change: .synchronize, from: .unregistered, to: .synchronized),
        ChangeRow(change: .synchronize, from: .unsynchronized, to: .synchronized),
        ChangeRow(change: .synchronize, from: .synchronized, to: .synchronized),
        ChangeRow(change: .unregister, from: .unregistered, to: .unregistered),
        ChangeRow(change: .unregister, from: .unsynchronized, to: .unregistered),
        ChangeRow(change: .unregister, from: .synchronized, to: .unregistered),
    ]

    @Test("applied(to:)", arguments: rows)
    func applied(_ row: ChangeRow) {
        #expect(row.change.applied(to: row.from) == row.to)
    }
}
