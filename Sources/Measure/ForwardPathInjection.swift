import Foundation
import ProcessKit
import Netlink

/// A real, tunable slowdown of the pod datapath, for validating the regression gate: N
/// nftables rules that never match, in a forward-hook chain of every node namespace. Every
/// forwarded packet (pod traffic routed by the node) walks all N; the node→node baseline is
/// not forwarded, so the gate's normalization must *not* hide this. Only inside the run's own
/// namespaces; the addresses matched (TEST-NET-2, 198.51.100.0/24) never occur.
public enum ForwardPathInjection {
    public static func ruleset(rules: Int) -> String {
        var lines = ["table inet cnbinject {", "  chain forward {", "    type filter hook forward priority 0; policy accept;"]
        for i in 0..<rules {
            lines.append("    ip saddr 198.51.\(100 + i / 65536 % 2).\(i / 256 % 256) ip daddr 198.51.100.\(i % 256) counter drop")
        }
        lines += ["  }", "}"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Loads the ruleset into each namespace with `nft -f` run inside it.
    public static func apply(rules: Int, namespaces: [NetworkNamespace], scratchDirectory: String) throws {
        guard rules > 0 else { return }
        try Prerequisites.requireProgram("nft", package: "nftables", for: "--inject-forward-rules")
        let path = "\(scratchDirectory)/inject-forward.nft"
        try ruleset(rules: rules).write(toFile: path, atomically: true, encoding: .utf8)
        for ns in namespaces {
            let status = try ChildProcess.spawn(["nft", "-f", path], in: ns).wait().status
            guard status.succeeded else { throw PrerequisiteError("nft -f \(path) in \(ns.name) failed (\(status))") }
        }
    }
}
