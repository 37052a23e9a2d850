import Foundation
import Logging

/// Removes everything a run's ledger names: processes first (they would keep a namespace
/// alive), then files, then namespaces, then the state directory. Idempotent: what is
/// already gone is skipped, so `down` after a crash, twice, or half-way all end clean.
public struct Teardown {
    public var state: RunState
    public var logger: Logger

    public init(state: RunState, logger: Logger = Logger(label: "cnibench.teardown")) {
        self.state = state
        self.logger = logger
    }

    /// Returns the problems it could not fix (empty = clean).
    @discardableResult
    public func run() -> [String] {
        var problems: [String] = []
        let entries = state.entries()
        var namespaces = entries.compactMap { if case .namespace(let n) = $0 { n } else { nil } }
        // Anything named with this run's prefix is ours too (e.g. a namespace created by a
        // crashed process after its ledger line but before… nothing: the line comes first; this
        // also catches state directories lost by hand).
        for n in NetworkNamespace.list() where n.hasPrefix(state.run + "-") && !namespaces.contains(n) {
            namespaces.append(n)
        }
        // All processes together (ledger + any inside our namespaces), before the namespaces go.
        for pid in ProcessReaper.stopRun(ledger: entries, namespaces: namespaces, logger: logger) { problems.append("process \(pid) survived SIGKILL") }
        for e in entries {
            if case .file(let path) = e, FileManager.default.fileExists(atPath: path) {
                do { try FileManager.default.removeItem(atPath: path) } catch { problems.append("remove \(path): \(error)") }
            }
        }
        for n in namespaces.reversed() {
            do { try NetworkNamespace.delete(n) } catch where error.errno == .noSuchFileOrDirectory {
            } catch { problems.append("\(error)") }
        }
        if problems.isEmpty {
            do { try state.remove() } catch { problems.append("remove \(state.directory): \(error)") }
        }
        for p in problems { logger.error("\(p)") }
        return problems
    }
}
