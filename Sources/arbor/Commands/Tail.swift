import ArborCore
import ArborStore
import ArgumentParser
import Foundation

/// `arbor tail`: a site's delta log as the operator reads it — one JSON buffer per line (the
/// JSON delta format of `delta/fetch`), from a position, for one entity if asked, following new
/// transactions as they commit.
struct Tail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a site's delta log, one transaction per line as JSON, and optionally follow it.",
        discussion: """
            Each line is one committed transaction (a delta buffer: sequence, origin site, schema \
            and its deltas with their topics, fields and per-field times). Example: \
            `arbor tail --db sqlite:/var/lib/arbor/branch.sqlite --after 1200 --entity 98216FC5-CF0D-4255-A39F-45CBD4D97033`.
            """
    )

    @Option(name: .long, help: "Start after this sequence (default: the last 20 transactions).")
    var after: Int64?
    @Option(name: .long, help: "Only transactions touching this entity (its tech-id), and only its deltas.")
    var entity: String?
    @Flag(name: .long, help: "Keep printing new transactions as they commit (stop with Ctrl-C).")
    var follow = false
    @OptionGroup var store: StoreOptions

    func validate() throws {
        if let after, after < 0 { throw ValidationError("--after \(after) must not be negative (a log position)") }
        if let entity, UUID(uuidString: entity) == nil {
            throw ValidationError("--entity '\(entity.prefix(64))' is not a tech-id (a UUID such as 98216FC5-CF0D-4255-A39F-45CBD4D97033)")
        }
    }

    func run() async throws {
        let site = try await store.open()
        do {
            try await printLog(of: site)
            await site.close()
        } catch {
            await site.close()
            throw error
        }
    }

    private func printLog(of site: any SiteStore) async throws {
        let history: SchemaHistory
        do { history = try await SchemaCatalog(store: site).history() } catch {
            throw CommandFailure("reading the site's schema failed: \(error.message)")
        }
        let techId = entity.flatMap(UUID.init(uuidString:))
        var position: Int64
        if let after {
            position = after
        } else {
            do { position = max(0, try await site.lastSequence() - 20) } catch {
                throw CommandFailure("reading the delta log failed: \(error.message)")
            }
        }
        while true {
            let records: [LogRecord]
            do { records = try await site.readLog(after: position, limit: 500) } catch {
                throw CommandFailure("reading the delta log after \(position) failed: \(error.message)")
            }
            for record in records {
                position = record.sequence
                if let line = try Self.line(record, history: history, techId: techId) { print(line) }
            }
            if records.count == 500 { continue }
            guard follow else { return }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// One record as a JSON line; nil when `techId` is given and the record does not touch it.
    static func line(_ record: LogRecord, history: SchemaHistory, techId: UUID?) throws -> String? {
        var buffer: DeltaBuffer
        do { buffer = try DeltaBufferCodec.decode(record.buffer, history: history) } catch {
            throw CommandFailure("log record \(record.sequence) does not decode: \(error)")
        }
        if let techId {
            buffer.deltas = buffer.deltas.filter { $0.techId == techId }
            if buffer.deltas.isEmpty { return nil }
        }
        let schema = history.schema(named: buffer.schemaName) ?? history.current
        do {
            return String(decoding: try DeltaBufferJSON.encode(buffer, schema: schema), as: UTF8.self)
        } catch {
            throw CommandFailure("log record \(record.sequence) cannot be shown as JSON: \(error)")
        }
    }
}
