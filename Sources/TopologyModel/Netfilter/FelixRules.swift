import NetAddress

/// Calico Felix v3.30.7's netfilter state for one node, as `[NetfilterRuleset]` in load order:
/// - iptables dataplane: `ipset restore` input for the sets, then one `iptables-nft-restore
///   --noflush` input with the raw, mangle, filter and nat tables, hooked into the kernel chains
///   with `-I` (ChainInsertMode insert) except the FORWARD and nat POSTROUTING appends, which
///   Felix always appends (`int_dataplane.go` `setUpIptablesNormal`);
/// - nftables dataplane: one `nft -f -` script for table `ip calico` (sets, verdict maps, the 12
///   base chains of `felix/nftables/table.go`, the layer-prefixed chains, map elements).
///
/// Only chains Felix programs are emitted: both table implementations program a chain only once
/// it is referenced from a hooked chain (or, for nftables, a verdict map), so the failsafe and
/// IPVS chains, present in Felix's chain set, stay out, as on a real node. Felix iterates Go
/// maps and sets when it writes chains, so its order varies run to run; here chains, base
/// chains and set members are sorted by name, which the kernel result does not depend on.
/// Rule-hash comments are computed exactly as Felix does (`FelixRuleHash`).
public enum FelixRules {
    public static let release = "v3.30.7"

    public static func render(_ context: FelixNodeContext, dataplane: FelixDataplane) -> [NetfilterRuleset] {
        let tables = FelixTables(context: context, dataplane: dataplane)
        switch dataplane {
        case .iptables:
            let owner = "calico-felix \(release) (iptables dataplane)"
            return [
                NetfilterRuleset(owner: owner, tool: .ipsetRestore, input: FelixIptablesOutput.ipsetRestore(tables.ipsets), expected: []),
                NetfilterRuleset(
                    owner: owner, tool: .iptablesRestore, input: FelixIptablesOutput.restore(tables),
                    expected: FelixIptablesOutput.expected(tables))
            ]
        case .nftables:
            return [
                NetfilterRuleset(
                    owner: "calico-felix \(release) (nftables dataplane)", tool: .nft, input: FelixNftOutput.script(tables),
                    expected: FelixNftOutput.expected(tables))
            ]
        }
    }
}

/// One of Felix's IP sets (`felix/ipsets`): the pool, host and VXLAN sets are `hash:net`; a
/// policy selector's set is `hash:ip` (`IPSetTypeHashIP`, one member per endpoint IP).
struct FelixIPSet: Equatable {
    var name: String
    var members: [String]
    var type = "hash:net"

    /// `LegalizeSetName` (`felix/nftables/ipsets.go`): nft set names have `-` where ipset's have `:`.
    static func nftName(_ name: String) -> String { name.replacingOccurrences(of: ":", with: "-") }
}

/// One netfilter table's worth of Felix state: the chains it has rendered and its hooks into the
/// kernel's (or, for nftables, its own base) chains.
struct FelixTable {
    struct Hook {
        var chain: String
        var inserts: [FelixRule]
        var appends: [FelixRule]
    }
    var name: String
    var chains: [FelixChain]
    var hooks: [Hook]

    /// Chains referenced from the hooks (and, with `mapTargets`, from verdict maps), transitively.
    func programmed(mapTargets: [String] = []) -> [FelixChain] {
        let byName = Dictionary(chains.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var seen = Set<String>()
        var queue = hooks.flatMap { ($0.inserts + $0.appends).compactMap(\.action?.target) } + mapTargets
        while let next = queue.popLast() {
            guard !seen.contains(next), let chain = byName[next] else { continue }
            seen.insert(next)
            queue += chain.rules.compactMap(\.action?.target)
        }
        return chains.filter { seen.contains($0.name) }.sorted { $0.name < $1.name }
    }
}

/// Felix's managers for one node, run to their steady state: which tables, chains and sets.
struct FelixTables {
    var raw: FelixTable
    var mangle: FelixTable
    var filter: FelixTable
    var nat: FelixTable
    var ipsets: [FelixIPSet]
    var builder: FelixChainBuilder

    var all: [FelixTable] { [raw, mangle, filter, nat] }

    init(context: FelixNodeContext, dataplane: FelixDataplane) {
        let b = FelixChainBuilder(context: context, dataplane: dataplane)
        builder = b
        func hook(_ chain: String, _ target: String) -> FelixTable.Hook {
            .init(chain: chain, inserts: [FelixRule(action: .jump(target))], appends: [])
        }
        raw = FelixTable(
            name: "raw",
            chains: [b.rawPrerouting(), b.rawOutput(), b.rpfSkip()]
                + b.emptyHostDispatch(["cali-from-host-endpoint", "cali-to-host-endpoint"]),
            hooks: [hook("PREROUTING", "cali-PREROUTING"), hook("OUTPUT", "cali-OUTPUT")])
        mangle = FelixTable(
            name: "mangle",
            chains: [b.manglePrerouting(), b.manglePostrouting()]
                + b.emptyHostDispatch(["cali-from-host-endpoint", "cali-to-host-endpoint"]),
            hooks: [hook("PREROUTING", "cali-PREROUTING"), hook("POSTROUTING", "cali-POSTROUTING")])
        var forward = hook("FORWARD", "cali-FORWARD")
        forward.appends = b.filterForwardAppends()
        let profiles = Array(Set(context.workloads.flatMap(b.profileIDs))).sorted()
        filter = FelixTable(
            name: "filter",
            chains: [b.filterForward(), b.filterInput(), b.filterWorkloadToHost(), b.filterOutput(), b.cidrBlock()]
                + b.emptyHostDispatch(["cali-from-host-endpoint", "cali-to-host-endpoint", "cali-from-hep-forward", "cali-to-hep-forward"])
                + b.workloadDispatch() + context.workloads.flatMap(b.endpointChains) + profiles.flatMap(b.profileChains)
                + b.policyChains(),
            hooks: [forward, hook("INPUT", "cali-INPUT"), hook("OUTPUT", "cali-OUTPUT")])
        nat = FelixTable(
            name: "nat",
            chains: [b.natPrerouting(), b.natPostrouting(), b.natOutput(), b.natOutgoing()] + b.fipChains(),
            hooks: [
                hook("PREROUTING", "cali-PREROUTING"),
                .init(chain: "POSTROUTING", inserts: [], appends: [FelixRule(action: .jump("cali-POSTROUTING"))]),
                hook("OUTPUT", "cali-OUTPUT")
            ])
        // masq_mgr.go: the pools; ipip_mgr.go: every host's IP; vxlan_mgr.go: the other VTEPs'
        // parent-device IPs. hash:net members are canonical CIDRs.
        let pools = context.poolCIDRs.map(\.description).sorted()
        var sets = [
            FelixIPSet(name: FelixChainBuilder.ipsetAllPools, members: pools),
            FelixIPSet(name: FelixChainBuilder.ipsetMasqPools, members: context.natOutgoing ? pools : [])
        ]
        if context.ipipEnabled {
            sets.append(FelixIPSet(name: FelixChainBuilder.ipsetAllHosts, members: Self.hostCIDRs(context.allNodeIPs)))
        }
        if context.vxlanEnabled {
            sets.append(
                FelixIPSet(
                    name: FelixChainBuilder.ipsetAllVXLAN, members: Self.hostCIDRs(context.allNodeIPs.filter { $0 != context.nodeIP })))
        }
        if let policies = context.policies, policies.count > 0 { sets.append(policies.selectorIPSet) }
        ipsets = sets
    }

    private static func hostCIDRs(_ ips: [IPv4Address]) -> [String] {
        Array(Set(ips.map { "\($0)/32" })).sorted()
    }

    /// Workload interfaces → endpoint chains, for the nftables dispatch maps
    /// (`DispatchMappings`, dispatch.go).
    var dispatchMappings: (from: [(String, String)], to: [(String, String)]) {
        let names = builder.sortedInterfaces
        return (
            names.map { ($0, builder.endpointChainName("cali-fw-", $0)) },
            names.map { ($0, builder.endpointChainName("cali-tw-", $0)) }
        )
    }
}
