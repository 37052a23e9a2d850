/// One pod-network datapath: everything cnibench knows about a mode, in one place. Each mode
/// has one file in this folder with one type conforming to this protocol, and one line in
/// `Datapaths.all`. The planner, the kernel check (`KernelFeatures.refusal`), the MTU and the
/// wire check in `verify` all read it from here.
import NetAddress
public protocol Datapath: Sendable {
    var mode: Mode { get }
    /// Whose node state the mode reproduces (decides pod addressing and default pod CIDR).
    var family: Mode.Family { get }
    /// One line for reports and listings: what the mode builds.
    var summary: String { get }
    /// Bytes of encapsulation overhead on the underlay: pod MTU = underlay MTU − overhead.
    var overhead: Int { get }
    /// True when the next hop is the peer node itself, so nodes must share one L2 segment.
    var needsL2Adjacency: Bool { get }
    /// What the kernel must offer for `up` to build the mode.
    var requires: Set<KernelCapability> { get }
    /// What `verify` expects on the underlay between two nodes' pods; nil when the mode has no
    /// cross-node path. Written from docs/datapaths.md, not derived from `plan`, so a wrong plan
    /// cannot pass its own check (DatapathTests compare the two).
    var wire: WireFormat? { get }
    /// Appends the mode's node and pod state, after the underlay (namespaces, uplinks, default
    /// routes) is already in `steps`.
    func plan(_ context: DatapathContext, into steps: inout StepList)
    /// With `--netfilter real`: the rule loads the mode's agents make in `node`'s namespace, in
    /// load order (ipset before the iptables rules that use the sets). Default: none.
    func netfilterRules(node: Addressing.Node, _ context: DatapathContext) -> [NetfilterRuleset]
    /// With `--netfilter real`: sysctls the node needs for those rules, set before the loads.
    func netfilterSysctls(node: Addressing.Node, _ context: DatapathContext) -> [(String, String)]
    /// With `--netfilter real`: what the kernel must offer besides `requires`.
    var netfilterRequires: Set<KernelCapability> { get }
}

/// A kernel facility a datapath cannot be built without.
public enum KernelCapability: String, Sendable, CaseIterable {
    case veth
    case bridge
    case vxlan
    case tun
    /// br_netfilter (`/proc/sys/net/bridge/bridge-nf-call-iptables` in a new namespace).
    case brNetfilter

    /// Why a missing capability refuses a mode, as `up` and `list` print it.
    public var missingReason: String {
        switch self {
        case .veth: "the kernel has no veth driver"
        case .bridge: "the kernel has no bridge driver (cni0)"
        case .vxlan: "the kernel has no vxlan driver (CONFIG_VXLAN)"
        case .tun: "the kernel has no TUN device (/dev/net/tun)"
        case .brNetfilter:
            "the kernel has no br_netfilter (/proc/sys/net/bridge/bridge-nf-call-iptables is missing), which flanneld refuses to start without; load it (modprobe br_netfilter) or use --netfilter none"
        }
    }
}

/// Encapsulation and outer addresses of a pod-to-pod packet between nodes.
public struct WireFormat: Sendable, Equatable {
    public var encapsulation: Encapsulation
    /// The outer addresses are the two node IPs (tunnels); otherwise the pods' own.
    public var outerIsNode: Bool

    public init(_ encapsulation: Encapsulation, outerIsNode: Bool) {
        self.encapsulation = encapsulation
        self.outerIsNode = outerIsNode
    }
}

/// What a datapath plans from: the validated spec, its addresses, and the kernel's IPIP.
public struct DatapathContext: Sendable {
    public var spec: TopologySpec
    public var addressing: Addressing
    /// How calico-ipip encapsulates on this kernel (ignored by the other modes).
    public var ipip: IPIPImplementation

    public init(spec: TopologySpec, addressing: Addressing, ipip: IPIPImplementation) {
        self.spec = spec
        self.addressing = addressing
        self.ipip = ipip
    }

    /// MTU of pod interfaces and tunnel devices.
    public var podMTU: Int { spec.mtu - spec.mode.datapath.overhead }

    /// Every other node.
    func peers(of node: Addressing.Node) -> [Addressing.Node] {
        addressing.nodes.filter { $0.index != node.index }
    }

    /// Every block owned by another node, with its owner.
    func remoteBlocks(of node: Addressing.Node) -> [(peer: Addressing.Node, block: IPv4Prefix)] {
        peers(of: node).flatMap { peer in peer.podSubnets.map { (peer, $0) } }
    }
}

/// The registry: every datapath, one per mode.
public enum Datapaths {
    /// Adding a mode: a case in `Mode`, a file in this folder, and its line here.
    public static let all: [any Datapath] = [
        NoneDatapath(),
        HostGWDatapath(),
        FlannelVXLANDatapath(),
        FlannelUDPDatapath(),
        CalicoBGPDatapath(),
        CalicoIPIPDatapath(),
        CalicoVXLANDatapath()
    ]

    /// The datapath of `mode`, or nil when none is registered (DatapathTests forbid that).
    public static func lookup(_ mode: Mode) -> (any Datapath)? {
        all.first { $0.mode == mode }
    }
}

extension Mode {
    /// This mode's datapath.
    public var datapath: any Datapath {
        guard let d = Datapaths.lookup(self) else { preconditionFailure("no Datapath registered for mode \(rawValue)") }
        return d
    }
}
