import ArborCore
import ArborStore
import ArgumentParser
import Foundation

/// `arbor tail`: a site's delta log as the operator reads it — one line per delta (or one JSON
/// buffer per line, the JSON delta format of `delta/fetch`), from a position, for one entity or a
/// slice if asked, following new transactions as they commit.
struct Tail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a site's delta log, a line per delta, and optionally follow it.",
        discussion: """
            Each line is one delta: the sequence of its transaction, the site whose log it is \
            (always the tailed site; where a change came from shows in its site topics: \
            #arbor.notson.<son> came up from that son, #arbor.father alone was written here, \
            neither came down from the father), the operation, class, tech-id, topics (site topics included) and fields as value@time. \
            With --json each line is one whole transaction in the JSON delta format of delta/fetch. \
            Example: `arbor tail --db sqlite:/var/lib/arbor/branch.sqlite --slice 'east*!archive' --follow`.
            """
    )

    @Option(name: .long, help: "Start after this sequence (default: the last 20 transactions).")
    var after: Int64?
    @Option(name: .long, help: "Only transactions touching this entity (its tech-id), and only its deltas.")
    var entity: String?
    @Option(name: .long, help: "Only deltas whose topics this slice selects (as a fetch selects them; '#X' counts as X).")
    var slice: String?
    @Flag(name: .long, help: "Keep printing new transactions as they commit (stop with Ctrl-C).")
    var follow = false
    @Flag(name: .long, help: "One JSON transaction per line instead of a readable line per delta.")
    var json = false
    @OptionGroup var store: StoreOptions

    func validate() throws {
        if let after, after < 0 { throw ValidationError("--after \(after) must not be negative (a log position)") }
        if let slice {
            do { _ = try TopicsSlice(parsing: slice) } catch { throw ValidationError("--slice '\(slice.prefix(64))': \(error)") }
        }
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
        let filter = Filter(techId: entity.flatMap(UUID.init(uuidString:)), slice: try slice.map { try TopicsSlice(parsing: $0) })
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
                for line in try Self.lines(record, history: history, filter: filter, json: json) { print(line) }
            }
            if records.count == 500 { continue }
            guard follow else { return }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Which deltas to show.
    struct Filter {
        var techId: UUID?
        var slice: TopicsSlice?

        func keeps(_ delta: Delta) -> Bool {
            if let techId, delta.techId != techId { return false }
            if let slice, !slice.selectsInSteadyState(delta.topics) { return false }
            return true
        }
    }

    /// The lines of one record: a readable line per delta kept, or the record as one JSON line.
    static func lines(_ record: LogRecord, history: SchemaHistory, filter: Filter, json: Bool) throws -> [String] {
        var buffer: DeltaBuffer
        do { buffer = try DeltaBufferCodec.decode(record.buffer, history: history) } catch {
            throw CommandFailure("log record \(record.sequence) does not decode: \(error)")
        }
        buffer.deltas = buffer.deltas.filter(filter.keeps)
        if buffer.deltas.isEmpty { return [] }
        let schema = history.schema(named: buffer.schemaName) ?? history.current
        let data: Data
        do { data = try DeltaBufferJSON.encode(buffer, schema: schema) } catch {
            throw CommandFailure("log record \(record.sequence) cannot be shown: \(error)")
        }
        if json { return [String(decoding: data, as: UTF8.self)] }
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        let deltas = object?["deltas"] as? [[String: Any]] ?? []
        return deltas.map { readable($0, sequence: buffer.sequence, origin: buffer.originSite) }
    }

    /// `115 east CREATE Customer 98216FC5-… ,east, t=1796190414645041 name="n17"@1796190413147647 …`
    static func readable(_ delta: [String: Any], sequence: Int64, origin: String) -> String {
        func text(_ value: Any?) -> String {
            guard let value, !(value is NSNull) else { return "null" }
            if let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes]) {
                return String(decoding: data, as: UTF8.self)
            }
            return "\(value)"
        }
        var parts = ["\(sequence)", origin, delta["op"] as? String ?? "?", delta["class"] as? String ?? "?", delta["techId"] as? String ?? "?",
                     delta["topics"] as? String ?? ""]
        if let time = delta["updateTime"] { parts.append("t=\(text(time))") }
        if let registration = delta["registration"], !(registration is NSNull) { parts.append("registration=\(text(registration))") }
        let fields = delta["fields"] as? [String: Any] ?? [:]
        for name in fields.keys.sorted() {
            let field = fields[name] as? [String: Any]
            parts.append("\(name)=\(text(field?["value"]))@\(text(field?["time"]))")
        }
        if let subEntities = delta["subEntities"] as? [Any], !subEntities.isEmpty { parts.append("subEntities=\(text(subEntities))") }
        return parts.joined(separator: " ")
    }
}
