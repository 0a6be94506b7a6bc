import ArborCore
import ArborEdge
import ArborServer
import ArgumentParser
import AsyncHTTPClient
import Foundation

/// Where `arbor status` and `arbor tree` read a running site's report: its `status.json`
/// (``SiteStatusReport``), from loopback without credentials, from elsewhere as a client listed
/// in the site's `statusClients` setting.
struct StatusSource: ParsableArguments {
    @Option(name: .long, help: "The site's server URL, as its edges use it (default http://127.0.0.1:8080).")
    var url: String = "http://127.0.0.1:8080"
    @Option(name: .long, help: "The instance suffix in URLs (default 1).")
    var instance: String = "1"
    @Option(name: .long, help: "A client id listed in the site's statusClients setting (needed unless on the site's machine: loopback).")
    var clientId: String?
    @Option(name: .long, help: "A file holding that client's secret.")
    var secretFile: String?
    @Option(name: .long, help: "A PEM bundle of the CAs to trust for an https:// URL (default: the system's roots).")
    var caFile: String?

    func validate() throws {
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw ValidationError("--url '\(url.prefix(200))' must start with http:// or https:// (e.g. http://127.0.0.1:8080)")
        }
        // A page address pasted from the browser would otherwise get a second /arbor/… appended (404).
        if var components = URLComponents(string: url), !components.path.isEmpty, components.path != "/" {
            components.path = ""
            components.query = nil
            let base = components.string ?? "http://HOST:PORT"
            throw ValidationError("--url '\(url.prefix(200))' must be the server's base URL, without a path: use --url \(base.prefix(200)) (and --instance for another instance)")
        }
        guard ServicePaths(instance: instance) != nil else { throw ValidationError("--instance '\(instance.prefix(64))' must be 1-32 letters, digits, '-' or '_'") }
        if secretFile != nil, clientId == nil { throw ValidationError("--secret-file needs --client-id: the secret of which client?") }
    }

    /// The JSON the site answers, and it decoded.
    func fetch() async throws -> (json: Data, report: SiteStatusReport) {
        var trustRoots: EdgeTrustRoots?
        if let caFile {
            do { trustRoots = try EdgeTrustRoots.load(file: caFile) } catch { throw CommandFailure("--ca-file: \(error.message)") }
        }
        var secret: String?
        if let secretFile {
            do { secret = try ClientSecretFile.read(secretFile) } catch { throw CommandFailure("--secret-file: \(error.description)") }
        }
        let address = url.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + (ServicePaths(instance: instance)?.statusJSON ?? "")
        var request = HTTPClientRequest(url: address)
        if let clientId { request.headers.add(name: ArborProtocol.Header.clientId, value: clientId) }
        if let secret { request.headers.add(name: ArborProtocol.Header.clientSecret, value: secret) }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Edge.failoverClientConfiguration(trustRoots: trustRoots))
        let body: Data, status: UInt
        do {
            let response = try await client.execute(request, timeout: .seconds(15))
            body = Data(try await response.body.collect(upTo: 64 << 20).readableBytesView)
            status = response.status.code
            try? await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw CommandFailure("\(address) did not answer: \(Self.transportReason(error, url: url)) (is `arbor serve` running there? check --url, --instance and, for https, --ca-file)")
        }
        guard status == 200 else {
            let refusal = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
            if let code = refusal?["error"] as? String {
                throw CommandFailure("\(address) refused (HTTP \(status) \(code)): \(refusal?["message"] as? String ?? "")")
            }
            throw CommandFailure("\(address) answered HTTP \(status): is it an Arbor site of instance '\(instance)'?")
        }
        do {
            return (body, try JSONDecoder().decode(SiteStatusReport.self, from: body))
        } catch {
            throw CommandFailure("\(address) did not answer a status report (an older Arbor?): \(error)")
        }
    }
}

extension StatusSource {
    /// The common transport failure said plainly; others as the HTTP client describes them.
    /// (NIO's own text for a refused connection reads "connection reset (error set): Connection refused) (errno: 111)".)
    static func transportReason(_ error: any Error, url: String) -> String {
        let described = String(describing: error)
        guard described.contains("Connection refused") else { return described }
        let components = URLComponents(string: url)
        let port = components?.port ?? (components?.scheme == "https" ? 443 : 80)
        return "nothing listens at \(components?.host ?? url):\(port) (connection refused)"
    }
}

/// Seconds as the status commands print them.
func statusSeconds(_ value: Double?) -> String {
    guard let value else { return "–" }
    return value < 90 ? String(format: "%.1f s", value) : String(format: "%.1f min", value / 60)
}
