import ArborCore
import Foundation
import HTTPTypes
import Hummingbird

/// The father's side of son links (DESIGN rule 9): `POST …/delta/upload` (binary delta
/// buffers from a son's log) and `POST …/delta/upload-position` (the son's position; its
/// heartbeat) and `POST …/delta/site-report` (the son's subtree summary). All need a client of the son role (issue 11 item 3), checked before the body is read.
extension SiteRoutes {
    /// Adds the link routes next to the delta server's.
    func installLink(_ delta: DeltaServer, on group: RouterGroup<ArborRequestContext>) {
        let link = LinkServer(context: exchange.context)
        post(paths.delta("upload"), on: group) { request, context in
            var request = request
            let client = try required(context)
            try link.requireSon(client, for: "delta/upload")
            let through = try Self.sequenceHeader(request)
            let after = try Self.sequenceHeader(request, named: ArborProtocol.Header.uploadAfter)
            let incarnation = try Self.incarnationHeader(request)
            let body = try await exchange.body(of: &request)
            return exchange.json(try await link.upload(client: client, incarnation: incarnation, after: after, throughSequence: through, body: body))
        }
        post(paths.delta("upload-position"), on: group) { request, context in
            var request = request
            let client = try required(context)
            try link.requireSon(client, for: "delta/upload-position")
            let incarnation = try Self.incarnationHeader(request)
            let body = try await exchange.body(of: &request)
            guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any], object.isEmpty else {
                throw ServerError(.badRequest, "upload-position takes an empty JSON object: {}")
            }
            return exchange.json(try await link.uploadPosition(client: client, incarnation: incarnation))
        }
        post(paths.delta("site-report"), on: group) { request, context in
            var request = request
            let client = try required(context)
            try link.requireSon(client, for: "delta/site-report")
            let summary = try await exchange.decode(SiteSummary.self, from: &request)
            return exchange.json(try await link.siteReport(client: client, summary: summary))
        }
    }

    /// `X-Arbor-Site-Incarnation` as a UUID, nil when absent (a son of an older Arbor).
    private static func incarnationHeader(_ request: Request) throws(ServerError) -> UUID? {
        try LinkServer.incarnation(request.headers[HTTPField.Name(ArborProtocol.Header.siteIncarnation)!])
    }

    /// `X-Arbor-Sequence` as an integer, nil when absent.
    private static func sequenceHeader(_ request: Request, named name: String = ArborProtocol.Header.sequence) throws(ServerError) -> Int64? {
        guard let text = request.headers[HTTPField.Name(name)!] else { return nil }
        guard let value = Int64(text.trimmingCharacters(in: .whitespaces)) else {
            throw ServerError(.badRequest, "\(name) must be an integer (got '\(text.prefix(64))')")
        }
        return value
    }
}
