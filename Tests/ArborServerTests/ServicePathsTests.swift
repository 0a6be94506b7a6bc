import ArborServer
import Testing

@Suite struct ServicePathsTests {
    @Test func buildsTheGuidesURLLayout() throws {
        let paths = try #require(ServicePaths(instance: "2"))
        #expect(paths.deltaRoot == "/arbor/2/delta")
        #expect(paths.cache("full-load") == "/arbor/2/cache/full-load")
        #expect(paths.delta("fetch") == "/arbor/2/delta/fetch")
    }

    @Test(arguments: ["", "a/b", "x y", "é", String(repeating: "9", count: 33)])
    func refusesInstancesThatAreNotOneURLSegment(instance: String) {
        #expect(ServicePaths(instance: instance) == nil)
    }
}
