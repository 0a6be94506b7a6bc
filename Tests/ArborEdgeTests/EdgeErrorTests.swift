@testable import ArborEdge
import ArborCore
import Foundation
import Testing

@Suite struct EdgeErrorTests {
    /// Every code a server answers with.
    static let serverCodes = ArborErrorCode.all

    @Test func serverCodesMatchTheOpenAPIDocument() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Docs/openapi.json")
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        let schemas = (document?["components"] as? [String: Any])?["schemas"] as? [String: Any]
        let error = (schemas?["Error"] as? [String: Any])?["properties"] as? [String: Any]
        let codes = (error?["error"] as? [String: Any])?["enum"] as? [String]
        #expect(Set(codes ?? []) == Set(Self.serverCodes.map(\.rawValue)))
    }

    @Test(arguments: serverCodes)
    func serverEncodedErrorBodyMapsToItsCode(_ code: ArborErrorCode) throws {
        // Encoded as the server's HTTPExchange encodes error answers.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = try encoder.encode(ErrorResponse(error: code.rawValue, message: "because \"quoted\" ünïcode"))
        let error = EdgeError.fromResponse(status: code.httpStatus, body: Array(body), server: "http://s:1")
        #expect(error.code == code)
        #expect(error.message == "because \"quoted\" ünïcode")
        #expect(error.httpStatus == code.httpStatus)
        #expect(error.server == "http://s:1")
        let shortcuts: [(ArborErrorCode, Bool)] = [
            (.notRegistered, error.isNotRegistered), (.schemaMismatch, error.isSchemaMismatch), (.clientDisabled, error.isClientDisabled),
            (.notPermitted, error.isNotPermitted), (.sliceSyntax, error.isSliceSyntax), (.topicNotInProxySlice, error.isTopicNotInProxySlice),
            (.tooFarBehind, error.isTooFarBehind), (.unreachable, error.isUnreachable), (.notAuthenticated, error.isNotAuthenticated),
        ]
        for (shortcutCode, value) in shortcuts {
            #expect(value == (shortcutCode == code), "\(shortcutCode) shortcut for \(code)")
        }
        #expect(error.isRetryable == (code == .internalError || code == .unavailable), "a busy or failing server may answer later")
        #expect(error.description.contains(code.rawValue))
    }

    @Test(arguments: [
        #"{"error":"NotRegistered","message":"register first"}"#,
        #"{"message":"register first","error":"NotRegistered"}"#,
        "{\n  \"error\" : \"NotRegistered\",\n  \"message\" : \"register first\"\n}",
        #"{"error":"NotRegistered","message":"register first","detail":{"x":1}}"#,
    ])
    func handWrittenErrorBodies(_ text: String) {
        let error = EdgeError.fromResponse(status: 409, body: Array(text.utf8), server: nil)
        #expect(error.code == .notRegistered)
        #expect(error.isNotRegistered)
        #expect(error.message == "register first")
    }

    @Test func switchingOnTheCode() {
        func action(_ error: EdgeError) -> String {
            switch error.code {
            case .notRegistered: return "register"
            case .tooFarBehind: return "sync-load"
            case .unreachable: return "retry"
            default: return "fail"
            }
        }
        #expect(action(EdgeError(code: .notRegistered, message: "")) == "register")
        #expect(action(EdgeError(code: .tooFarBehind, message: "")) == "sync-load")
        #expect(action(EdgeError.unreachable([("http://a:1", "refused")])) == "retry")
        #expect(action(EdgeError(code: .sliceSyntax, message: "")) == "fail")
    }

    @Test func unknownCodeIsKeptAsSent() {
        let error = EdgeError.fromResponse(status: 409, body: Array(#"{"error":"FutureCode","message":"new"}"#.utf8), server: nil)
        #expect(error.code.rawValue == "FutureCode")
        #expect(!error.isRetryable)
    }

    @Test(arguments: [(400, ArborErrorCode.badRequest), (404, .notFound), (502, .internalError), (418, .invalidResponse), (403, .invalidResponse)])
    func bodyWithoutArborErrorGetsCodeFromStatus(_ status: Int, _ expected: ArborErrorCode) {
        for body in ["<html>Not Found</html>", "", #"{"error":"","message":"x"}"#, #"{"message":"only"}"#] {
            let error = EdgeError.fromResponse(status: status, body: Array(body.utf8), server: "http://s:1")
            #expect(error.code == expected, "\(status) \(body)")
            #expect(error.message.contains("HTTP \(status)"))
        }
    }

    @Test func unreachableNamesEveryServer() {
        let error = EdgeError.unreachable([("http://a:1", "refused"), ("http://b:2", "HTTP 503")])
        #expect(error.isUnreachable)
        #expect(error.isRetryable)
        #expect(error.server == "http://b:2")
        #expect(error.message.contains("http://a:1: refused"))
        #expect(error.message.contains("http://b:2: HTTP 503"))
    }

    @Test func dispositionOfStatuses() throws {
        func reply(_ status: Int, _ body: String = "") -> EdgeReply {
            EdgeReply(status: status, server: "http://s:1", body: Array(body.utf8)) { _ in nil }
        }
        let internalBody = #"{"error":"Internal","message":"db down"}"#
        #expect(reply(200).disposition(idempotent: true) == .answered)
        #expect(reply(204).disposition(idempotent: false) == .answered)
        for status in [500, 502, 503, 504, 408, 429] {
            guard case .serverFailed(let reason) = reply(status, internalBody).disposition(idempotent: true) else {
                Issue.record("\(status) must fail over")
                continue
            }
            #expect(reason.contains("HTTP \(status)"))
        }
        // Not idempotent (append): only 503 fails over; other 5xx are surfaced.
        guard case .serverFailed = reply(503).disposition(idempotent: false) else { Issue.record("503 append must fail over"); return }
        guard case .protocolError(let error) = reply(500, internalBody).disposition(idempotent: false) else {
            Issue.record("500 append must be surfaced")
            return
        }
        #expect(error.code == .internalError)
        #expect(error.message == "db down")
        // 429 (TooManyAttempts) is a busy server: idempotent requests fail over, as checked above.
        for code in Self.serverCodes where code.httpStatus < 500 && code.httpStatus != 429 {
            let body = String(decoding: try JSONEncoder().encode(ErrorResponse(error: code.rawValue, message: "m")), as: UTF8.self)
            #expect(reply(code.httpStatus, body).disposition(idempotent: true) == .protocolError(EdgeError(code: code, message: "m", httpStatus: code.httpStatus, server: "http://s:1")))
        }
    }

    @Test func headersAreRead() {
        let headers = ["x-arbor-sequence": " 42 ", "x-arbor-connected-to-center": "False", "x-arbor-redirect": " http://b:2/ ", "content-type": "application/json"]
        let reply = EdgeReply(status: 200, server: "http://s:1", body: []) { headers[$0.lowercased()] }
        #expect(reply.sequence == 42)
        #expect(reply.connectedToCenter == false)
        #expect(reply.redirect == "http://b:2/")
        #expect(reply.contentType == "application/json")
        let odd = EdgeReply(status: 200, server: "http://s:1", body: []) { ["x-arbor-sequence": "4x", "x-arbor-connected-to-center": "yes"][$0.lowercased()] }
        #expect(odd.sequence == nil)
        #expect(odd.connectedToCenter == nil)
        #expect(odd.redirect == nil)
    }
}
