import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Testing

/// Issue 13 item 2: the link series at a son (its father link) and at its father (each son).
@Suite(.serialized, .heavy) struct LinkMetricsTests {
    @Test func lagAndConnectionOfBothEndsOfALinkFollowAPartition() async throws {
        try await LinkedPair.run(father: .sqlite, throughRelay: true) { pair in
            let son = ["site": "branch1"], sonAtFather = ["site": "center", "son": "b1"]
            try await pair.father.create(Fixtures.id(1), name: "a1")
            try await eventually("both ends connected and caught up") {
                let atSon = MetricsScrape(await pair.son.context.metrics.exposition())
                let atFather = MetricsScrape(await pair.father.context.metrics.exposition())
                return atSon.value("arbor_father_link_connected", son) == 1 && atSon.value("arbor_father_link_lag_sequences", son) == 0
                    && atSon.value("arbor_father_link_upload_backlog_sequences", son) == 0
                    && atFather.value("arbor_son_link_connected", sonAtFather) == 1 && atFather.value("arbor_son_link_lag_sequences", sonAtFather) == 0
            }
            // Cut the link: the father's writes pile up behind the son's position.
            pair.relay?.cut()
            for n in 2...4 { try await pair.father.create(Fixtures.id(n), name: "a\(n)") }
            try await pair.son.create(Fixtures.id(10), name: "b10")
            try await eventually("the father sees the son behind and silent", timeout: .seconds(90)) {
                let atFather = MetricsScrape(await pair.father.context.metrics.exposition())
                return atFather.value("arbor_son_link_lag_sequences", sonAtFather) ?? 0 >= 3 && atFather.value("arbor_son_link_connected", sonAtFather) == 0
            }
            try await eventually("the son sees its upload backlog and the link down") {
                let atSon = MetricsScrape(await pair.son.context.metrics.exposition())
                return atSon.value("arbor_father_link_upload_backlog_sequences", son) ?? 0 >= 1 && atSon.value("arbor_father_link_connected", son) == 0
            }
            let behind = MetricsScrape(await pair.father.context.metrics.exposition())
            #expect(behind.value("arbor_son_link_lag_seconds", sonAtFather) ?? 0 > 0, "\(behind)")
            pair.relay?.heal()
            try await eventually("caught up again after the partition", timeout: .seconds(90)) {
                let atSon = MetricsScrape(await pair.son.context.metrics.exposition())
                let atFather = MetricsScrape(await pair.father.context.metrics.exposition())
                return atSon.value("arbor_father_link_lag_sequences", son) == 0 && atSon.value("arbor_father_link_upload_backlog_sequences", son) == 0
                    && atFather.value("arbor_son_link_lag_sequences", sonAtFather) == 0 && atFather.value("arbor_son_link_lag_seconds", sonAtFather) == 0
            }
        }
    }
}
