import Foundation
import ProcessKit
import Logging
import Netlink
import TopologyModel

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
        let owned = ownedNamespaces(entries)
        problems += owned.refused
        let namespaces = owned.names
        // All processes together (ledger + any inside our namespaces), before the namespaces go.
        for pid in ProcessReaper.stopRun(ledger: entries, namespaces: namespaces, logger: logger) {
            problems.append("process \(pid) survived SIGKILL")
        }
        // CNI DEL while the namespaces the plugins work in still exist; a failing DEL is
        // reported (and logged) but does not keep the run: the namespaces take the rest.
        if let changed = CNIAttachments(state: state, logger: logger).deleteAll(entries, owned: Set(namespaces)).rootChanged {
            problems.append(changed)
        }
        for e in entries {
            guard case .file(let path) = e else { continue }
            do { try Containment.remove(path, inside: RunState.root) } catch { problems.append("remove \(path): \(error)") }
        }
        for n in namespaces.reversed() {
            do { try NetworkNamespace.delete(n) } catch  where error.errno == .noSuchFileOrDirectory {
            } catch { problems.append("\(error)") }
        }
        if problems.isEmpty {
            do { try state.remove() } catch { problems.append("remove \(state.directory): \(error)") }
        }
        for p in problems { logger.error("\(p)") }
        return problems
    }

    /// The namespaces this run owns: exactly those its ledger records (written before each was
    /// created). Never a prefix match: `pa` must not take `pa-node1`'s namespaces, nor a
    /// foreign `pa-extra` made with `ip netns add`. Only when the ledger itself is gone (a
    /// state directory damaged by hand) do the names the stored spec derives stand in for it.
    /// A recorded name that this run could not have made is refused, not removed.
    func ownedNamespaces(_ entries: [LedgerEntry]) -> (names: [String], refused: [String]) {
        var recorded = entries.compactMap { if case .namespace(let n) = $0 { n } else { nil } }
        if !state.hasLedger, let record = try? state.record(), let plan = try? Planner(spec: record.spec).plan() {
            let present = Set(NetworkNamespace.list())
            recorded = ([Names.probe(state.run)] + plan.namespaces).filter(present.contains)
        }
        var names: [String] = []
        var refused: [String] = []
        for n in recorded where !names.contains(n) {
            if n.hasPrefix("\(state.run)-"), NetworkNamespace.isValidName(n) {
                names.append(n)
            } else {
                refused.append("ledger of run \(state.run) names namespace '\(Truncated(n))', which this run cannot own; left alone")
            }
        }
        return (names, refused)
    }
}
