import NetAddress

/// How Calico IPIP encapsulation is done on this kernel.
public enum IPIPImplementation: String, Sendable, Codable {
    /// The kernel ipip driver's `tunl0` (where CONFIG_NET_IPIP is set).
    case kernel = "kernel-ipip"
    /// cnibench's tc-BPF program on each node's eth0 (egress encap, ingress decap).
    case tcBPF = "tc-bpf"
}

/// One kernel change, in the order `up` makes it. Plain data: printable as ip(8) commands,
/// testable without root, and executed by `Applier` through netlink.
public enum Step: Sendable, Equatable {
    case netnsAdd(name: String)
    case linkUp(ns: String, dev: String)
    /// Veth pair created from `ns`, its peer born directly inside `peerNS`.
    case vethAdd(ns: String, name: String, peerNS: String, peer: String, mtu: Int, mac: MACAddress?, peerMAC: MACAddress?, master: String?)
    /// `mac`: set at creation, so the bridge keeps it (nil: the kernel's, then its lowest port's).
    case bridgeAdd(ns: String, name: String, mtu: Int, mac: MACAddress? = nil)
    /// Bridge port flags: hairpin (reflect frames back out the port they came in on), which
    /// the bridge CNI plugin turns on for pod ports (kube-flannel.yml: hairpinMode true).
    case bridgePortHairpin(ns: String, dev: String)
    case vxlanAdd(ns: String, name: String, params: VXLANSpec)
    /// Make sure the kernel's IPIP fallback device exists, then set its MTU and bring it up.
    case ipipTunnel(ns: String, name: String, mtu: Int)
    /// A persistent TUN device (IFF_TUN | IFF_NO_PI, as `ip tuntap add NAME mode tun` makes it),
    /// set to `mtu` and up; a userspace daemon (flannel-udp) attaches to it later by name.
    case tunAdd(ns: String, name: String, mtu: Int)
    /// `broadcast`: IFA_BROADCAST (`brd`), nil for none.
    case addrAdd(ns: String, dev: String, prefix: IPv4Prefix, broadcast: IPv4Address? = nil)
    case routeAdd(ns: String, route: PlannedRoute)
    case neighReplace(ns: String, entry: PlannedNeighbour)
    case sysctl(ns: String, key: String, value: String)
    /// Attach cnibench's tc-BPF IPIP encap/decap to `dev`, with the remote block map.
    case bpfIPIP(ns: String, dev: String, nodeIP: IPv4Address, routes: [TunnelRoute])
    /// Start a long-running process inside `ns` (a daemon such as the flannel-udp backend or
    /// BIRD). `name` labels its log file (`/run/cnibench/<run>/<name>.log`); argv[0] "cnibench"
    /// means this executable. Recorded in the ledger with its start time; stopped by down/clean.
    case startProcess(ns: String, name: String, argv: [String])
    /// CNI ADD of `conflist` (placeholders filled in for the node) for the pod namespace
    /// `podNS`: the plugins run inside `nodeNS` (the pod's "host") with CNI_NETNS
    /// /run/netns/`podNS`. Recorded in the ledger before it runs; DEL'd by down/clean.
    case cniAdd(nodeNS: String, podNS: String, ifname: String, conflist: String)
    /// Load netfilter rules into `ns`: `ruleset.tool` runs inside the namespace with
    /// `ruleset.input` on its standard input, as the agent that owns the rules loads them.
    case netfilterLoad(ns: String, ruleset: NetfilterRuleset)

    /// The namespace the step acts in (nil: creating the namespace itself).
    public var namespace: String? {
        switch self {
        case .netnsAdd: nil
        case .linkUp(let ns, _), .vethAdd(let ns, _, _, _, _, _, _, _), .bridgeAdd(let ns, _, _, _), .bridgePortHairpin(let ns, _),
            .vxlanAdd(let ns, _, _), .ipipTunnel(let ns, _, _), .tunAdd(let ns, _, _), .addrAdd(let ns, _, _, _),
            .routeAdd(let ns, _), .neighReplace(let ns, _), .sysctl(let ns, _, _), .bpfIPIP(let ns, _, _, _),
            .startProcess(let ns, _, _), .cniAdd(let ns, _, _, _), .netfilterLoad(let ns, _):
            ns
        }
    }
}

/// Everything `up` will create for one run.
public struct Plan: Sendable, Equatable {
    public var spec: TopologySpec
    public var addressing: Addressing
    /// Set for calico-ipip only.
    public var ipip: IPIPImplementation?
    public var steps: [Step]

    public var namespaces: [String] {
        steps.compactMap { if case .netnsAdd(let n) = $0 { n } else { nil } }
    }

    /// Pod MTU the mode implies for this underlay.
    public var podMTU: Int { spec.mtu - spec.mode.datapath.overhead }
}
