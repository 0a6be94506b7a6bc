import ArborCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A route or middleware just throws a ``ServerError``: Hummingbird answers it in the
/// protocol's JSON error format `{"error": CODE, "message": ...}` with the code's HTTP status.
/// (``ErrorAnswerMiddleware`` adds the site's connected-to-center header on the way out.)
extension ServerError: HTTPResponseError {
    public var status: HTTPResponse.Status { HTTPResponse.Status(code: code.httpStatus) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = HTTPFields()
        fields[.contentType] = ArborProtocol.jsonMediaType
        if let retryAfterSeconds { fields[.retryAfter] = String(retryAfterSeconds) }
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(data: jsonBody)))
    }

    /// The error as the protocol's JSON object, keys sorted.
    var jsonBody: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(ErrorResponse(error: code.rawValue, message: message))) ?? Data("{}".utf8)
    }
}
