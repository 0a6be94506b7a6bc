import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Testing

/// A son whose father was restored from an older backup: the father's position for the son
/// goes back, and the son uploads again from there, or says which writes it no longer holds.
@Suite(.serialized, .heavy) struct FatherRestoreLinkTests {
    @Test func aSonReportsTheWritesItTrimmedAndARestoredFatherLacks() async throws {
        try await LinkedPair.run(father: .sqlite) { pair in
            for n in 1...3 { _ = try await pair.son.create(Fixtures.id(n), name: "s\(n)") }
            let sonLast = try await pair.son.store.lastSequence()
            try await eventually("the father acknowledged the son's writes") { try await pair.son.position(FatherLink.uploadedKey) == sonLast }
            // What a restore of the father does to the son's position there, while the son
            // trimmed the records the father had acknowledged (trimming keeps the last one).
            let incarnation = try await SiteIncarnation.current(in: pair.son.store)
            try await pair.father.store.setSiteCounter(LinkServer.appliedKey(son: "b1", incarnation: incarnation), 0)
            #expect(try await pair.son.store.trimLog(through: sonLast) == Int(sonLast) - 1)
            // A restarted son reads its log from the database, not from the records it kept in memory.
            try await pair.restartSon()
            let son = pair.son
            _ = try await son.create(Fixtures.id(4), name: "s4")

            try await eventually("the son's later write reaches the father") { try await pair.father.field("name", of: Fixtures.id(4)) == .text("s4") }
            try await eventually("the son reports the writes it cannot upload again") {
                let body = try await StatusFetch.get(son.baseURL).body
                let report = try JSONDecoder().decode(SiteStatusReport.self, from: body)
                return report.recentErrors.contains { $0.code == "UploadsLost" && $0.message.contains("sequences 1...\(sonLast - 1) cannot be uploaded again") }
            }
        }
    }
}
