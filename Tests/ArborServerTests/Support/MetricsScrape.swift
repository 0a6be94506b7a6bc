import AsyncHTTPClient
import Foundation

/// One scrape of a site's `/metrics` in the Prometheus text format, read as series → value.
struct MetricsScrape: CustomStringConvertible {
    /// `name{label="value",…}` (labels sorted) → value.
    let series: [String: Double]
    let text: String

    init(_ text: String) {
        self.text = text
        var series: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            series[Self.key(String(line[..<space]))] = value
        }
        self.series = series
    }

    /// Scrapes `baseURL/metrics`; fails unless it answers 200 in the text format.
    static func scrape(_ baseURL: String) async throws -> MetricsScrape {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: baseURL + "/metrics"), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 << 20)
        guard response.status.code == 200, response.headers.first(name: "Content-Type")?.hasPrefix("text/plain") == true else {
            throw MetricsScrapeError(description: "GET /metrics answered \(response.status.code) \(response.headers)")
        }
        return MetricsScrape(String(buffer: body))
    }

    /// The value of `name` with exactly `labels`; nil when the series is absent.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        series[Self.key(name: name, labels: labels)]
    }

    /// The value, 0 when absent (a counter not yet touched).
    func count(_ name: String, _ labels: [String: String] = [:]) -> Double {
        value(name, labels) ?? 0
    }

    var description: String { text }

    private static func key(name: String, labels: [String: String]) -> String {
        labels.isEmpty ? name : name + "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ",") + "}"
    }

    /// The canonical key of a series as written in the exposition.
    private static func key(_ written: String) -> String {
        guard let open = written.firstIndex(of: "{"), written.hasSuffix("}") else { return written }
        let name = String(written[..<open])
        let body = written[written.index(after: open)..<written.index(before: written.endIndex)]
        var labels: [String: String] = [:]
        for pair in body.split(separator: ",") {
            guard let equals = pair.firstIndex(of: "=") else { continue }
            labels[String(pair[..<equals])] = String(pair[pair.index(after: equals)...]).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return key(name: name, labels: labels)
    }
}

struct MetricsScrapeError: Error, CustomStringConvertible {
    var description: String
}
