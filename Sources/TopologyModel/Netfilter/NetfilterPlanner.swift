/// `--netfilter real`: per node namespace, the sysctls and rule loads the node's agents make
/// (each datapath says which through its `netfilterSysctls`/`netfilterRules` hooks). Appended
/// after the datapath's own steps, as on a real node the agents start once it is wired; each
/// node's sysctls come before its loads. `--netfilter none` plans nothing here.
struct NetfilterPlanner {
    var context: DatapathContext

    func build(into b: inout StepList) {
        guard context.spec.netfilter == .real else { return }
        let datapath = context.spec.mode.datapath
        for node in context.addressing.nodes {
            b.sysctls(node.namespace, datapath.netfilterSysctls(node: node, context))
            for ruleset in datapath.netfilterRules(node: node, context) {
                b.add(.netfilterLoad(ns: node.namespace, ruleset: ruleset))
            }
        }
        // kube-proxy runs on every node of a cluster, whatever the CNI; the node→node baseline
        // (mode none: no pod network, no cluster) stays bare.
        guard context.spec.mode != .none else { return }
        for (node, rulesets) in context.spec.serviceSettings.rulesets(context.addressing) {
            for ruleset in rulesets { b.add(.netfilterLoad(ns: node.namespace, ruleset: ruleset)) }
        }
    }
}

extension Datapath {
    /// Default: the mode's agents install no netfilter rules (the baselines).
    public func netfilterRules(node: Addressing.Node, _ context: DatapathContext) -> [NetfilterRuleset] { [] }
    public func netfilterSysctls(node: Addressing.Node, _ context: DatapathContext) -> [(String, String)] { [] }
    public var netfilterRequires: Set<KernelCapability> { [] }
}

extension FlannelPodWiring {
    /// Every flannel mode: flanneld's FLANNEL-POSTRTG and FLANNEL-FWD (FlannelRules).
    static func netfilterRules(node: Addressing.Node, _ context: DatapathContext) -> [NetfilterRuleset] {
        FlannelRules.rulesets(network: context.addressing.podCIDR, lease: node.podSubnets[0])
    }

    static func netfilterSysctls(node: Addressing.Node, _ context: DatapathContext) -> [(String, String)] {
        [(FlannelRules.bridgeSysctl.key, FlannelRules.bridgeSysctl.value)]
    }

    /// flanneld refuses to start without br_netfilter (FlannelRules.bridgeSysctl).
    static let netfilterRequires: Set<KernelCapability> = [.brNetfilter]
}

extension CalicoPodWiring {
    /// Every Calico mode: Felix v3.30.7's raw/mangle/filter/nat chains and its sets for this node,
    /// on the dataplane the spec names (FelixRules).
    static func netfilterRules(node: Addressing.Node, _ context: DatapathContext) -> [NetfilterRuleset] {
        guard var felix = FelixNodeContext(addressing: context.addressing, node: node, mode: context.spec.mode) else { return [] }
        felix.policies = FelixNetworkPolicies(spec: context.spec, addressing: context.addressing)
        return FelixRules.render(felix, dataplane: context.spec.felixDataplane)
    }
}

extension NetfilterTool {
    /// The program and arguments that read `input` on standard input, as the owners run them.
    public var commandLine: [String] {
        switch self {
        case .iptablesRestore: ["iptables-nft-restore", "--noflush"]
        case .nft: ["nft", "-f", "-"]
        case .ipsetRestore: ["ipset", "restore"]
        }
    }

    /// The Debian package that provides the program.
    public var package: String {
        switch self {
        case .iptablesRestore: "iptables"
        case .nft: "nftables"
        case .ipsetRestore: "ipset"
        }
    }
}
