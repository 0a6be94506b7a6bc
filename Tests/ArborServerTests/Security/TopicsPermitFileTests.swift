import ArborCore
import ArborServer
import ArborStore
import Foundation
import Testing

/// `arbor serve --permits FILE`: the JSON file becomes a `TopicsPermit`; a malformed file is
/// refused with a message naming the file and the entry.
@Suite struct TopicsPermitFileTests {
    @Test func aFileMapsClientsToTheirTopics() async throws {
        let permit = try TopicsPermitFile.parse(Data(#"{"shop": ["A", "B"], "kiosk": []}"#.utf8), named: "permits.json")
        #expect(permit.readTopics == ["shop": ["A", "B"], "kiosk": []])
        #expect(permit.permitsNow(clientId: "shop", slice: try TopicsSlice(parsing: "A+B")))
        #expect(!permit.permitsNow(clientId: "kiosk", slice: try TopicsSlice(parsing: "A")))
    }

    @Test func anArrayEntryWritesWhereItReads() throws {
        let permit = try TopicsPermitFile.parse(Data(##"{"shop": ["A", "#arbor.notson.shop"]}"##.utf8), named: "permits.json")
        #expect(permit.writeTopics == permit.readTopics)
    }

    @Test func theDeployExampleParses() throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Deploy/permits.json.example")
        let permit = try TopicsPermitFile.read(example.path)
        #expect(permit.writeTopics["till-3"] == ["east"] && permit.readTopics["till-3"] == ["east", "all-branches"])
    }

    @Test func anObjectEntryHasSeparateReadAndWriteTopics() async throws {
        let text = #"{"till": {"read": ["east", "all-branches"], "write": ["east"]}, "auditor": {"read": ["east"], "write": []}}"#
        let permit = try TopicsPermitFile.parse(Data(text.utf8), named: "permits.json")
        #expect(permit.readTopics == ["till": ["east", "all-branches"], "auditor": ["east"]])
        #expect(permit.writeTopics == ["till": ["east"], "auditor": []])
        let key = EntityKey("Customer", UUID())
        let till = await permit.writePermit(clientId: "till")
        #expect(till.refusal(for: key, topics: try TopicsList(["east"]), side: .after) == nil)
        #expect(till.refusal(for: key, topics: try TopicsList(["all-branches"]), side: .after) != nil, "read topics are not write topics")
    }

    @Test func malformedFilesAreRefusedWithTheirName() throws {
        let cases: [(String, String)] = [
            ("[1]", "is not a JSON object"),
            (#"{"shop": "A"}"#, "client 'shop' must map to an array"),
            ("{", "is not a JSON object"),
            (#"{"shop": [1]}"#, "client 'shop' must be an array of topic names"),
            (#"{"shop": ["a b"]}"#, "client 'shop' lists 'a b', which is not a topic name"),
            (#"{"shop": {"read": ["A"]}}"#, #"client 'shop' has no "write" list: give both "read" and "write""#),
            (#"{"shop": {"write": ["A"]}}"#, #"client 'shop' has no "read" list"#),
            (#"{"shop": {"read": ["A"], "write": ["A"], "writes": ["B"]}}"#, "client 'shop' has an unknown key 'writes'"),
            (#"{"shop": {"read": ["A"], "write": "A"}}"#, #"client 'shop', "write" must be an array of topic names"#),
            (#"{"shop": {"read": ["A"], "write": ["A,B"]}}"#, #"client 'shop', "write" lists 'A,B', which is not a topic name"#),
            (#"{"shop": {"read": ["A"], "write": [""]}}"#, #"client 'shop', "write" lists '', which is not a topic name"#),
        ]
        for (text, expected) in cases {
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
