import ArborCore
import ArborTesting
import AsyncHTTPClient
import Foundation
import Testing

/// Issue 13 item 2 against real `arbor serve` processes: a center and its son each answer
/// `/metrics` in the Prometheus text format, and the series follow appends and the link.
@Suite(.serialized, .heavy) struct MetricsEndToEndTests {
    @Test(.heavy(timeLimit: .seconds(300)))
    func aServedCenterAndSonExposeTheirMetrics() async throws {
        try await LinkRecoveryEndToEndTests.withTree { center, east in
            try await LinkRecoveryEndToEndTests.waitFor("east connected", at: east) {
                $0.value("arbor_father_link_connected", ["site": "east"]) == 1
            }
            let before = try await MetricsScrape.scrape(center.baseURL)
            let edge = try center.appEdge()
            let count = 4
            _ = try await edge.append((1...count).map { Samples.customerCreate(id: Fixtures.id($0), topics: Fixtures.topics("A")) })
            try await LinkRecoveryEndToEndTests.waitFor("the center's log grew and east caught up", at: center) { scrape in
                scrape.count("arbor_deltas_appended_total", ["site": "center"]) - before.count("arbor_deltas_appended_total", ["site": "center"]) >= Double(count)
                    && scrape.value("arbor_son_link_connected", ["site": "center", "son": "east"]) == 1
                    && scrape.value("arbor_son_link_lag_sequences", ["site": "center", "son": "east"]) == 0
            }
            let after = try await MetricsScrape.scrape(center.baseURL)
            #expect(after.count("arbor_deltas_appended_total", ["site": "center"]) - before.count("arbor_deltas_appended_total", ["site": "center"]) == Double(count), "\(after)")
            #expect(after.count("arbor_deltas_delivered_total", ["site": "center"]) >= Double(count), "east's link received them: \(after)")
            #expect(after.text.contains("# TYPE arbor_deltas_appended_total counter"), "\(after)")
            #expect(after.count("arbor_load_duration_seconds_count", ["site": "center", "kind": "full", "outcome": "answered"]) >= 1, "east loaded: \(after)")
            try await LinkRecoveryEndToEndTests.waitFor("east holds them with no lag", at: east) { scrape in
                scrape.value("arbor_father_link_lag_sequences", ["site": "east"]) == 0 && scrape.count("arbor_deltas_appended_total", ["site": "east"]) >= Double(count)
            }
        }
    }
}
