import ArborEdge
import ArborServer
import AsyncHTTPClient
import Foundation

/// `self-check --config`: whether the father the site's configuration names answers its status GET.
extension SelfCheck {
    /// The father link settings of a site configuration file (and the `ARBOR_*` environment, as
    /// `arbor serve` reads them): nil when the site has no father.
    static func fatherSettings(configFile: String) throws -> ServeConfiguration? {
        guard let data = FileManager.default.contents(atPath: configFile) else {
            throw CommandFailure("cannot read --config '\(configFile)': check the path")
        }
        var settings: ServeConfiguration
        do {
            settings = try ServeConfiguration(file: data, named: configFile)
            try settings.apply(environment: ProcessInfo.processInfo.environment)
        } catch { throw CommandFailure(error.description) }
        return settings.fatherServers.isEmpty ? nil : settings
    }

    /// `GET <father>/arbor/<instance>/delta` with the TLS settings of the father link: the
    /// status the father answers (its site and sequence), or why it did not.
    static func fatherStatus(_ father: String, settings: ServeConfiguration) async throws -> String {
        let trustRoots: EdgeTrustRoots?, certificate: EdgeClientCertificate?
        do {
            trustRoots = try settings.fatherTrustRoots()
            certificate = try settings.fatherClientCertificate()
        } catch { throw CommandFailure(error.description) }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Edge.failoverClientConfiguration(trustRoots: trustRoots, clientCertificate: certificate))
        let url = father.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/arbor/\(settings.instance)/delta"
        do {
            let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 20)
            try await client.shutdown()
            guard response.status == .ok else { throw CommandFailure("\(url) answered HTTP \(response.status.code): is it an Arbor delta server of instance '\(settings.instance)'?") }
            let status = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any]
            guard status?["up"] as? Bool == true else { throw CommandFailure("\(url) did not answer an Arbor status (\"up\": true)") }
            return "\(url) is up: site '\(status?["site"] as? String ?? "?")', sequence \(status?["sequence"].map { "\($0)" } ?? "?")"
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            try? await client.shutdown()
            throw CommandFailure("\(url) did not answer: \(error) (check fatherServers, the network and fatherCAFile)")
        }
    }
}
