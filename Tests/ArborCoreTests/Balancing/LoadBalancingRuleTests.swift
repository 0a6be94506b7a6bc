import ArborCore
import Testing

@Suite("Load balancing between a site's servers (§8.1)")
struct LoadBalancingRuleTests {
    let rule = LoadBalancingRule(margin: 2, staleAfterMicroseconds: 5_000_000)
    let now: Int64 = 100_000_000

    func peer(_ port: Int, edges: Int, age: Int64 = 0) -> SiteServerLoad {
        SiteServerLoad(url: "http://127.0.0.1:\(port)", edges: edges, isMaster: false, seenMicroseconds: now - age)
    }

    @Test("an edge moves only to a fresh peer serving at least the margin fewer edges", arguments: [
        (own: 3, peerEdges: 1, moves: true),
        (own: 3, peerEdges: 2, moves: false),
        (own: 2, peerEdges: 0, moves: true),
        (own: 1, peerEdges: 0, moves: false),
        (own: 0, peerEdges: 0, moves: false),
    ])
    func margin(own: Int, peerEdges: Int, moves: Bool) {
        let target = rule.redirectTarget(ownURL: "http://127.0.0.1:1", ownEdges: own, peers: [peer(2, edges: peerEdges)], nowMicroseconds: now)
        #expect((target != nil) == moves)
    }

    @Test("the least loaded peer is chosen; ties go to the smaller URL so every server agrees")
    func leastLoaded() {
        let peers = [peer(4, edges: 2), peer(3, edges: 0), peer(2, edges: 0)]
        #expect(rule.redirectTarget(ownURL: "http://127.0.0.1:1", ownEdges: 5, peers: peers, nowMicroseconds: now) == "http://127.0.0.1:2")
    }

    @Test("stale announcements (a stopped process) and the server itself are never targets")
    func staleAndSelf() {
        let peers = [peer(2, edges: 0, age: 5_000_001), peer(1, edges: 0)]
        #expect(rule.redirectTarget(ownURL: "http://127.0.0.1:1", ownEdges: 9, peers: peers, nowMicroseconds: now) == nil)
        #expect(rule.live(peers, nowMicroseconds: now).map(\.url) == ["http://127.0.0.1:1"])
    }

    @Test("redirecting to the target never leaves it busier than the server was: edges cannot bounce")
    func noBounce() {
        for own in 0...20 {
            for other in 0...20 {
                guard rule.redirectTarget(ownURL: "a", ownEdges: own, peers: [SiteServerLoad(url: "b", edges: other, isMaster: false, seenMicroseconds: now)], nowMicroseconds: now) != nil
                else { continue }
                // After the move, the target would not send the edge back.
                let back = rule.redirectTarget(ownURL: "b", ownEdges: other + 1, peers: [SiteServerLoad(url: "a", edges: own - 1, isMaster: false, seenMicroseconds: now)], nowMicroseconds: now)
                #expect(back == nil, "own \(own), other \(other)")
            }
        }
    }

    @Test("a margin below 1 is raised to 1")
    func minimumMargin() {
        #expect(LoadBalancingRule(margin: 0).margin == 1)
    }
}
