import ArgumentParser
import Foundation

/// Reads a file an option names (`--config`, a schema file), refusing with the reason it
/// cannot be read: no such file, a directory, or permission denied for this user.
enum ConfigurationFile {
    static func read(_ path: String, option: String) throws -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ValidationError("cannot read \(option) '\(path)': no such file; check the path")
        }
        guard !isDirectory.boolValue else { throw ValidationError("cannot read \(option) '\(path)': it is a directory; name the JSON file in it") }
        guard FileManager.default.isReadableFile(atPath: path), let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError(
                "cannot read \(option) '\(path)': permission denied for user '\(ProcessInfo.processInfo.userName)'; make it readable by the user arbor runs as (e.g. chgrp arbor and chmod 640)"
            )
        }
        return data
    }
}
