import ArborCore
import ArborEdge

/// The protocol error code `body` fails with; nil when it succeeds or fails otherwise.
func edgeErrorCode(_ body: () async throws -> Void) async -> ArborErrorCode? {
    do {
        try await body()
        return nil
    } catch let error as EdgeError {
        return error.code
    } catch {
        return nil
    }
}
