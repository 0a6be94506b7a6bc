import ArborCore
import ArborEdge
import Foundation
import Synchronization

/// A registered edge that follows one site through every fault, failing over between the
/// site's processes, and records each buffer it is given: no buffer may arrive twice once the
/// edge has acknowledged it (by fetching on from its sequence).
final class NemesisFollower: Sendable {
    private struct State {
        var seen: Set<Int64> = []
        var duplicates: [Int64] = []
        var buffers = 0
        var reloads = 0
    }

    private let state = Mutex(State())
    private let task = Mutex<Task<Void, Never>?>(nil)

    /// Starts following with client `clientId` and `slice` at `servers`.
    func start(servers: [String], clientId: String, slice: String) {
        let configuration = try? EdgeConfiguration(
            servers: servers, clientId: clientId, useRegistration: true, schema: NemesisTree.schema,
            requestTimeout: .seconds(10), fetchWait: .seconds(2))
        guard let configuration else { return }
        task.withLock { task in
            task = Task { [weak self] in
                let edge = Edge(configuration: configuration)
                var loaded = false
                while !Task.isCancelled {
                    do {
                        if !loaded {
                            _ = try await edge.fullLoad(slice: slice)
                            loaded = true
                            // A reload starts a new baseline (a rebuilt site numbers its log anew).
                            self?.state.withLock { $0.reloads += 1; $0.seen.removeAll() }
                        }
                        let buffers = try await edge.fetchDeltas()
                        self?.record(buffers)
                    } catch let error as EdgeError where error.code == .notRegistered || error.code == .tooFarBehind {
                        loaded = false
                    } catch {
                        try? await Task.sleep(for: .milliseconds(200))
                    }
                }
            }
        }
    }

    private func record(_ buffers: [DeltaBuffer]) {
        state.withLock { state in
            for buffer in buffers {
                state.buffers += 1
                if !state.seen.insert(buffer.sequence).inserted { state.duplicates.append(buffer.sequence) }
            }
        }
    }

    /// Sequences delivered more than once, buffers received and loads made.
    var summary: (duplicates: [Int64], buffers: Int, loads: Int) {
        state.withLock { ($0.duplicates, $0.buffers, $0.reloads) }
    }

    func stop() async {
        let running = task.withLock { $0 }
        running?.cancel()
        await running?.value
    }
}
