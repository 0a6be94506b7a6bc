import Foundation

/// Reads a client secret from a file (issue 6): the whole file, surrounding whitespace and
/// line ends removed. Errors name the file, never its content.
public enum ClientSecretFile {
    /// The longest secret accepted, in bytes.
    public static let maximumLength = 1_024

    /// The secret in `path`; it must be 1 to 1024 visible ASCII characters (it travels in an
    /// HTTP header).
    public static func read(_ path: String) throws(ClientSecretFileError) -> String {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ClientSecretFileError("cannot read the secret file \(path): check that it exists and is readable")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ClientSecretFileError("the secret file \(path) is not UTF-8 text")
        }
        let secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
        try validate(secret, source: "the secret in \(path)")
        return secret
    }

    /// Throws unless `secret` is 1 to 1024 visible ASCII characters.
    public static func validate(_ secret: String, source: String) throws(ClientSecretFileError) {
        guard !secret.isEmpty, secret.utf8.count <= maximumLength, secret.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }) else {
            throw ClientSecretFileError("\(source) must be 1 to \(maximumLength) visible ASCII characters without spaces")
        }
    }
}

/// Why a secret file cannot be used.
public struct ClientSecretFileError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
