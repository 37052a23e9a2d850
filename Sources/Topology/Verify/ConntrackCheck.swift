import Netlink
import TopologyModel

/// `--netfilter real`: after the connectivity probe, every node namespace that loaded rules
/// must be tracking connections (the probe's flows all cross a node's forward path).
/// Read as the per-namespace sysctl `net.netfilter.nf_conntrack_count` from a thread inside
/// the namespace: it needs no `conntrack` binary, and conntrack is per namespace and only
/// switched on there once a table that needs it (nat, a ct match) is loaded, so a count above
/// zero shows the loaded rules put the namespace's traffic through conntrack.
public struct ConntrackCheck {
    public var plan: Plan

    public struct Result: Sendable {
        /// Entries per node namespace that loaded rules, in plan order.
        public var counts: [(namespace: String, entries: Int?)]
        public var problems: [String] {
            counts.compactMap { c in
                guard let n = c.entries else { return "\(c.namespace): nf_conntrack_count unreadable (no conntrack in the namespace)" }
                return n > 0 ? nil : "\(c.namespace): no conntrack entries after the connectivity probe"
            }
        }
        public var passed: Bool { problems.isEmpty }
    }

    /// The namespaces to check: those with a netfilter load, in plan order; empty with
    /// `--netfilter none` or a mode whose agents install no rules.
    public var namespaces: [String] {
        var seen: Set<String> = []
        return plan.steps.compactMap { s in
            guard case .netfilterLoad(let ns, _) = s, seen.insert(ns).inserted else { return nil }
            return ns
        }
    }

    /// nil when there is nothing to check.
    public func run() -> Result? {
        let list = namespaces
        guard !list.isEmpty else { return nil }
        return Result(
            counts: list.map { name in
                let n = (try? NetworkNamespace.open(name)).flatMap { ns in
                    (try? ns.sysctlRead("net.netfilter.nf_conntrack_count")).flatMap {
                        Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
                    }
                }
                return (name, n)
            })
    }
}
