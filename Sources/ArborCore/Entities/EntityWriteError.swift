import Foundation

/// An application write refused before anything is stored.
public struct EntityWriteError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String

    init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
