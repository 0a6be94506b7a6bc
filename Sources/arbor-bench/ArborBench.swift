import ArborCore
import ArborStore
import Foundation
import PostgresNIO

/// `arbor-bench store-write --db postgres://... [--writers 8] [--transactions 2000]`
///
/// Measures the write throughput of `PostgresSiteStore.write` (small entity upserts, each with
/// one delta) with W concurrent writers, then the same workload through a naive log (a
/// `bigserial`-style sequence, no `log_head` row lock), and prints one JSON object with both
/// rates and their ratio. Tables live under fresh prefixes and are dropped afterwards.
@main
struct ArborBench {
    static func main() async {
        do {
            let arguments = CommandLine.arguments.dropFirst()
            if arguments.first == "compare" {
                await CompareCommand.main(Array(arguments.dropFirst()))
                return
            }
            if arguments.first == "tree-latency" {
                print(try await TreeLatencyBenchmark(arguments.dropFirst()).run())
                return
            }
            if arguments.first == "sqlite-wake" {
                print(try await SQLiteWakeBenchmark(arguments.dropFirst()).run())
                return
            }
            if arguments.first == "secret-flood" {
                print(try await SecretFloodBenchmark(arguments.dropFirst()).run())
                return
            }
            if arguments.first == "site-latency" {
                print(try await SiteLatencyBenchmark(SiteLatencyBenchmark.Options(arguments.dropFirst())).run())
                return
            }
            let options = try Options(arguments)
            let report = try await StoreWriteBenchmark(options: options).run()
            print(report)
        } catch let error as Options.UsageError {
            FileHandle.standardError.write(Data("arbor-bench: \(error.message)\n\(Options.usage)\n".utf8))
            exit(2)
        } catch {
            FileHandle.standardError.write(Data("arbor-bench: \(error)\n".utf8))
            exit(1)
        }
    }
}

/// The command line, parsed once here.
struct Options {
    struct UsageError: Error {
        let message: String
    }

    static let usage = """
        usage: arbor-bench compare [--quick] [--help]
               arbor-bench store-write --db postgres://user:password@host:port/database [--writers 8] [--transactions 2000]
               arbor-bench site-latency [--db postgres://…|sqlite:PATH] [--writes 500] [--entities 5000]
               arbor-bench tree-latency [--writes 200]
               arbor-bench sqlite-wake [--writes 300]
               arbor-bench secret-flood [--rate 200] [--appends 300]
        """

    var location: PostgresLocation
    var writers = 8
    var transactions = 2000

    init(_ arguments: ArraySlice<String>) throws {
        var arguments = Array(arguments)
        guard arguments.first == "store-write" else { throw UsageError(message: "benchmarks: store-write, site-latency, tree-latency, sqlite-wake") }
        arguments.removeFirst()
        var url: String?
        for (flag, value) in try Self.flagValues(arguments[...]) {
            switch flag {
            case "--db": url = value
            case "--writers": writers = try Self.positive(value, flag)
            case "--transactions": transactions = try Self.positive(value, flag)
            default: throw UsageError(message: "unknown option \(flag)")
            }
        }
        guard let url else { throw UsageError(message: "--db is required") }
        guard case .postgres(let location) = try DatabaseLocation(parsing: url) else {
            throw UsageError(message: "--db must be a postgres:// URL")
        }
        self.location = location
    }

    /// `arguments` as `--flag value` pairs, in order; a flag without its value is refused.
    static func flagValues(_ arguments: ArraySlice<String>) throws -> [(flag: String, value: String)] {
        var arguments = Array(arguments)
        var pairs: [(flag: String, value: String)] = []
        while !arguments.isEmpty {
            let flag = arguments.removeFirst()
            guard !arguments.isEmpty else { throw UsageError(message: "\(flag) needs a value") }
            pairs.append((flag, arguments.removeFirst()))
        }
        return pairs
    }

    /// The `--writes N` of a benchmark that takes only that option.
    static func writes(_ arguments: ArraySlice<String>, default standard: Int, benchmark: String) throws -> Int {
        var arguments = Array(arguments)
        var writes = standard
        while !arguments.isEmpty {
            let flag = arguments.removeFirst()
            guard flag == "--writes", let value = arguments.first, let number = Int(value), number > 0 else {
                throw UsageError(message: "\(benchmark) takes only --writes N")
            }
            arguments.removeFirst()
            writes = number
        }
        return writes
    }

    private static func positive(_ value: String, _ flag: String) throws -> Int {
        guard let number = Int(value), number > 0 else { throw UsageError(message: "\(flag) must be a positive integer, got '\(value)'") }
        return number
    }
}
