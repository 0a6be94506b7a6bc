import ArborCore
import ArborServer
import Foundation
import Testing

/// `arbor serve --permits FILE`: the JSON file becomes a `TopicsPermit`; a malformed file is
/// refused with a message naming the file and the entry.
@Suite struct TopicsPermitFileTests {
    @Test func aFileMapsClientsToTheirTopics() async throws {
        let permit = try TopicsPermitFile.parse(Data(#"{"shop": ["A", "B"], "kiosk": []}"#.utf8), named: "permits.json")
        #expect(permit.allowed == ["shop": ["A", "B"], "kiosk": []])
        #expect(permit.permitsNow(clientId: "shop", slice: try TopicsSlice(parsing: "A+B")))
        #expect(!permit.permitsNow(clientId: "kiosk", slice: try TopicsSlice(parsing: "A")))
    }

    @Test func malformedFilesAreRefusedWithTheirName() throws {
        for (text, expected) in [("[1]", "is not a JSON object"), (#"{"shop": "A"}"#, "client 'shop' must map to an array"), ("{", "is not a JSON object")] {
            do {
                _ = try TopicsPermitFile.parse(Data(text.utf8), named: "permits.json")
                Issue.record("\(text) was accepted")
            } catch {
                #expect(error.description.contains("permits.json") && error.description.contains(expected), "\(error)")
            }
        }
        #expect(throws: TopicsPermitFileError.self) { try TopicsPermitFile.read("/nonexistent/arbor-permits.json") }
    }
}
