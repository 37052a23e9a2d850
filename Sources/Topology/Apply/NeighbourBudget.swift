import Foundation
import TopologyModel

/// The kernel's ARP table is one table for all network namespaces, and its hard limit
/// (`net.ipv4.neigh.default.gc_thresh3`, 1024 by default) is settable only in the root
/// namespace, which cnibench never changes. Past it, every namespace's new neighbour fails
/// and packets are dropped with ENOBUFS ("neighbour: arp_cache: neighbor table overflow!").
/// Permanent entries (VXLAN VTEPs) are exempt; dynamic ones are what traffic creates.
public enum NeighbourBudget {
    /// Dynamic entries a full connectivity matrix may create: each pod and its node resolve
    /// each other, each node and the fabric resolve each other, and on one L2 segment nodes
    /// resolve each other directly.
    public static func estimate(_ plan: Plan) -> Int {
        let a = plan.addressing
        let pods = a.allPods.count
        let nodes = a.nodes.count
        let mesh = plan.spec.underlay == .l2 ? nodes * (nodes - 1) : 0
        return 2 * pods + 2 * nodes + mesh
    }

    /// The shared limit, read (never written) from the root namespace.
    public static func limit() -> Int? {
        (try? String(contentsOfFile: "/proc/1/root/proc/sys/net/ipv4/neigh/default/gc_thresh3", encoding: .utf8))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Entries in use now, all namespaces together (/proc/net/stat/arp_cache, first column).
    public static func inUse() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/net/stat/arp_cache", encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n")
        guard lines.count > 1, let first = lines[1].split(separator: " ").first else { return nil }
        return Int(first, radix: 16)
    }

    /// A warning when the topology's traffic could overflow the shared table, else nil.
    public static func warning(for plan: Plan) -> String? {
        guard let limit = limit() else { return nil }
        let need = estimate(plan) + (inUse() ?? 0)
        guard need > limit * 9 / 10 else { return nil }
        return
            "this topology's traffic may need about \(estimate(plan)) dynamic ARP entries (\(inUse() ?? 0) in use machine-wide) against the kernel's shared limit net.ipv4.neigh.default.gc_thresh3 = \(limit); past it, packets in every namespace are dropped with ENOBUFS. cnibench does not change root-namespace sysctls; raise it yourself (sysctl -w net.ipv4.neigh.default.gc_thresh3=…), use --underlay l3, or fewer nodes/pods"
    }

    /// A sentence for a warning when the table is (nearly) full right now, else nil.
    public static func pressureNote() -> String? {
        guard let entries = inUse(), let limit = limit(), entries * 10 >= limit * 9 else { return nil }
        return
            "the kernel's ARP table, shared by every namespace on the machine, holds \(entries) entries of at most \(limit) (gc_thresh3): another large topology on this machine is filling it, so new neighbours fail; rerun when it is gone"
    }
}
