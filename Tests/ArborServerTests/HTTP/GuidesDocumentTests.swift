import ArborCore
import ArborTesting
import Foundation
import Testing

/// The guides say what the code does: the user guide's JSON write example is accepted as
/// written, and both guides list every error code a server answers.
@Suite struct GuidesDocumentTests {
    static let docs = DeployedSite.deployDirectory.deletingLastPathComponent().appendingPathComponent("Docs")

    static func text(_ file: String) throws -> String {
        try String(contentsOf: docs.appendingPathComponent(file), encoding: .utf8)
    }

    @Test func theUserGuidesJSONWriteExampleDecodesAgainstTheExampleSchema() throws {
        let guide = try Self.text("user-guide.md")
        let start = try #require(guide.range(of: "```json\n{\"writes\""))
        let end = try #require(guide.range(of: "```", range: start.upperBound..<guide.endIndex))
        let example = guide[guide.index(start.lowerBound, offsetBy: "```json\n".count)..<end.lowerBound]
        let writes = try EntityWriteJSON.decode(Data(example.utf8), schema: Fixtures.retailSchema)
        #expect(writes.count == 4)
        #expect(!guide.contains("see `EntityWriteJSON`"))
    }

    @Test(arguments: ["user-guide.md", "operator-guide.md"])
    func theGuideListsEveryErrorCode(file: String) throws {
        let guide = try Self.text(file)
        for code in ArborErrorCode.all {
            #expect(guide.contains("| `\(code.rawValue)` |"), "\(file) has no table row for \(code.rawValue)")
        }
    }
}
