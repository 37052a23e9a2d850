import Foundation
import Netlink
import ProcessKit
import TopologyModel

/// Runs netfilter tools inside a run's namespaces: the loads of `Step.netfilterLoad` (the
/// ruleset's input on standard input, as flanneld/Felix/kube-proxy feed iptables-restore or nft)
/// and the read-backs `verify` compares with them. Spawned in the namespace through ProcessKit
/// (no `ip netns exec`), so nothing runs in the root namespace.
public enum NetfilterLoader {
    /// A load of a few hundred rules takes milliseconds; a tool stuck on a lock is stopped.
    public static let timeout: Duration = .seconds(30)

    /// The bound for one ruleset: `timeout` plus 5 ms per line of input. kube-proxy's rules
    /// for thousands of Services take minutes (iptables-nft-restore was measured at 228 s
    /// for 10,000 Services, about 110,000 lines), which the fixed bound would cut off.
    public static func timeout(for ruleset: NetfilterRuleset) -> Duration {
        timeout + .milliseconds(5 * ruleset.input.utf8.reduce(0) { $1 == 10 ? $0 + 1 : $0 })
    }

    /// The programs the rulesets of `plan` need, each with its Debian package: checked by `up`
    /// before anything is built.
    public static func requirePrograms(_ plan: Plan) throws {
        var seen: Set<NetfilterTool> = []
        for step in plan.steps {
            guard case .netfilterLoad(_, let r) = step, seen.insert(r.tool).inserted else { continue }
            try Prerequisites.requireProgram(
                r.tool.commandLine[0], package: r.tool.package,
                for: "--netfilter real with mode \(plan.spec.mode.rawValue) (\(r.owner)'s rules)")
        }
        // verify reads the loaded rules back with nft.
        if !seen.isEmpty, !seen.contains(.nft) {
            try Prerequisites.requireProgram("nft", package: "nftables", for: "--netfilter real (verify reads the rules back with nft)")
        }
    }

    /// Loads `ruleset` in `ns`; the error names the tool, the namespace and what the tool said.
    public static func load(_ ruleset: NetfilterRuleset, in ns: NetworkNamespace) throws {
        let argv = ruleset.tool.commandLine
        let child = try ChildProcess.spawn(
            resolve(argv), in: ns, stdin: Array(ruleset.input.utf8), stdout: .pipe, stderr: .pipe)
        // Waited for first: what a failing load prints is far less than a pipe holds.
        let bound = timeout(for: ruleset)
        let t = try child.waitOrStop(until: ContinuousClock.now + bound)
        let said = child.readOutput().trimmingCharacters(in: .whitespacesAndNewlines)
        guard t.status.succeeded, !t.stoppedByUs else {
            let why = t.stoppedByUs ? "did not finish within \(Int(bound.inSeconds)) s" : "failed (\(t.status))"
            throw StateError(
                "\(argv.joined(separator: " ")) in \(ns.name) \(why) loading \(ruleset.owner)'s rules: \(said.isEmpty ? "no output" : said)"
            )
        }
    }

    /// Runs a read-only query (`nft -j list ruleset`) in `ns` and returns its standard output.
    public static func query(_ argv: [String], in ns: NetworkNamespace) throws -> String {
        let child = try ChildProcess.spawn(resolve(argv), in: ns, stdout: .pipe, stderr: .discard)
        // Read to end first: a big ruleset is more than a pipe holds, and the tool exits after writing.
        let out = child.readOutput()
        let t = try child.waitOrStop(until: ContinuousClock.now + timeout)
        guard t.status.succeeded else { throw StateError("\(argv.joined(separator: " ")) in \(ns.name) failed (\(t.status))") }
        return out
    }

    /// The program by absolute path when it is on PATH (a namespace spawn does not search).
    static func resolve(_ argv: [String]) -> [String] {
        guard let first = argv.first, !first.contains("/"), let path = Prerequisites.which(first) else { return argv }
        return [path] + argv.dropFirst()
    }
}
