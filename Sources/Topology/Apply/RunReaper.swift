import Foundation
import Logging
import ProcessKit
import Netlink

/// Stopping a whole run: its ledger's processes and whatever else lives in its namespaces.
extension ProcessReaper {
    /// Every process of a run, stopped in passes: the ledger's processes (identity-checked)
    /// and any process found inside one of `namespaces` (iperf3, bird, a user's shell). One
    /// /proc walk per pass covers all namespaces (a walk per namespace costs namespaces ×
    /// processes stat calls); passes repeat while they find something, for processes a stopped
    /// one started meanwhile. Returns pids that could not be stopped.
    public static func stopRun(ledger: [LedgerEntry], namespaces: [String], logger: Logger) -> [Int32] {
        var ours: [UInt64: String] = [:]
        for n in namespaces {
            guard let ns = try? NetworkNamespace.open(n) else { continue }
            ours[ns.inode] = n
        }
        var targets: [Target] = ledger.compactMap {
            if case .process(let pid, let start, let cmd) = $0, start != 0 {
                logger.debug("stopping \(cmd) (pid \(pid))")
                return Target(pid: pid, startTime: start)
            }
            return nil
        }
        var remaining: [Int32] = []
        for _ in 0..<3 {
            targets += inNamespaces(ours, logger: logger)
            if targets.isEmpty { break }
            remaining = stop(targets).remaining
            targets = []
            if ours.isEmpty { break }
        }
        return remaining
    }

    /// Running processes whose network namespace is one of `namespaces` (inode → name).
    static func inNamespaces(_ namespaces: [UInt64: String], logger: Logger) -> [Target] {
        guard !namespaces.isEmpty else { return [] }
        var found: [Target] = []
        for entry in (try? FileSystem.listDirectory("/proc")) ?? [] {
            guard let pid = pid_t(entry), pid > 1, pid != getpid(),
                let ino = FileSystem.inode(of: "/proc/\(pid)/ns/net"), let n = namespaces[ino],
                let s = ProcFS.stat(pid)
            else { continue }
            logger.debug("stopping pid \(pid) in \(n)")
            found.append(Target(pid: pid, startTime: s.startTime))
        }
        return found
    }
}
