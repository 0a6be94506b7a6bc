@testable import ArborServer
import ArborStore
import Logging
import Testing

/// The one mapping of store failures to protocol errors (`ServerError.storeFailure`).
@Suite struct ServerErrorStoreFailureTests {
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    @Test func aCancelledQueryIsUnavailableNotInternal() {
        let wrapped = StoreError(.queryFailed, "reading registrations was cancelled", underlying: CancellationError())
        for error in [wrapped, CancellationError()] as [any Error] {
            let answer = ServerError.storeFailure("delta server: reading registrations", error, siteName: "east", logger: logger)
            #expect(answer.code == .unavailable, "\(answer)")
            #expect(answer.retryAfterSeconds == ServerError.busyRetryAfterSeconds)
        }
    }

    @Test func anyOtherQueryFailureStaysInternal() {
        let answer = ServerError.storeFailure("delta server: reading registrations", StoreError(.queryFailed, "disk I/O error"), siteName: "east", logger: logger)
        #expect(answer.code == .internalError)
    }
}
