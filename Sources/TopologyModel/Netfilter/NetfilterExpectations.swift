/// What a node namespace's chains must hold once all of its rule loads ran. Several agents load
/// into one namespace (flanneld or Felix, then kube-proxy), and each states the chains it
/// leaves behind; they meet in the kernel's built-in hook chains (FORWARD, POSTROUTING, …),
/// where every agent inserts its own jump, so there the counts add up. An agent's own chain is
/// declared (and so flushed) by the load that fills it: the last load stating it decides.
public struct NetfilterExpectation: Sendable, Equatable {
    public var chain: ExpectedChain
    /// The agents whose loads the count comes from, as `verify` names them.
    public var owners: [String]
    /// The count is a floor, not an exact number: a kernel chain that CNI plugins of the run
    /// (portmap, firewall, …) also insert into, with rules no plan can predict.
    public var atLeast = false

    /// The iptables hook chains, shared by every agent that inserts into them.
    static let builtInChains: Set<String> = ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"]
    static let iptablesTables: Set<String> = ["raw", "mangle", "filter", "nat", "security"]

    static func isShared(_ c: ExpectedChain) -> Bool {
        c.family == "ip" && iptablesTables.contains(c.table) && builtInChains.contains(c.chain)
    }

    /// The combined expectations of `loads`, in load order, first appearance first; with
    /// `sharedWithPlugins`, the kernel chains' counts are floors (see `atLeast`).
    public static func combine(_ loads: [NetfilterRuleset], sharedWithPlugins: Bool = false) -> [NetfilterExpectation] {
        var order: [String] = []
        var byKey: [String: NetfilterExpectation] = [:]
        for load in loads {
            for c in load.expected {
                let key = "\(c.family) \(c.table) \(c.chain)"
                if var seen = byKey[key] {
                    if isShared(c) {
                        seen.chain.ruleCount += c.ruleCount
                        if !seen.owners.contains(load.owner) { seen.owners.append(load.owner) }
                    } else {
                        seen = NetfilterExpectation(chain: c, owners: [load.owner])
                    }
                    byKey[key] = seen
                } else {
                    order.append(key)
                    byKey[key] = NetfilterExpectation(chain: c, owners: [load.owner])
                }
            }
        }
        return order.map { key in
            var e = byKey[key]!
            e.atLeast = sharedWithPlugins && isShared(e.chain)
            return e
        }
    }
}

extension Plan {
    /// What namespace `ns`'s chains must hold after its loads (CNI plugins of the run share the
    /// kernel chains, so there the counts are floors).
    public func netfilterExpectations(in ns: String) -> [NetfilterExpectation] {
        let plugins = steps.contains { if case .cniAdd(ns, _, _, _) = $0 { true } else { false } }
        return NetfilterExpectation.combine(netfilterLoads(in: ns), sharedWithPlugins: plugins)
    }

    /// Every rule load planned for namespace `ns`, in order.
    public func netfilterLoads(in ns: String) -> [NetfilterRuleset] {
        steps.compactMap { if case .netfilterLoad(ns, let r) = $0 { r } else { nil } }
    }
}
