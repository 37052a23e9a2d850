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
        for e in entries {
            if case .process(let pid, let start, let cmd) = e, Processes.startTime(pid) == start {
                logger.debug("stopping \(cmd) (pid \(pid))")
                Processes.stop(pid)
            }
        }
        // Processes started inside our namespaces by anyone (iperf3, bird, a user's shell).
        // One pass over /proc for all namespaces at once (a pass per namespace costs
        // namespaces × processes stat calls: most of a 1,000-namespace teardown); passes repeat
        // while they find something, for processes a stopped one started meanwhile.
        var ours: [UInt64: String] = [:]
        for n in namespaces {
            guard let ns = try? NetworkNamespace.open(n) else { continue }
            ours[ns.inode] = n
        }
        for _ in 0..<3 where !ours.isEmpty {
            var stopped = false
            for entry in (try? FileSystem.listDirectory("/proc")) ?? [] {
                guard let pid = pid_t(entry), pid > 1, pid != getpid(),
                      let ino = FileSystem.inode(of: "/proc/\(pid)/ns/net"), let n = ours[ino] else { continue }
                logger.debug("stopping pid \(pid) in \(n)")
                Processes.stop(pid)
                stopped = true
            }
            if !stopped { break }
        }
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
