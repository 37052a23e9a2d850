import NetAddress

/// Every address and name a topology uses, derived deterministically from a spec: the same
/// spec always gives the same plan, which is what lets `plan` print exactly what `up` builds.
public struct Addressing: Sendable, Equatable, Codable {
    public struct Node: Sendable, Equatable, Codable {
        public var index: Int
        public var namespace: String
        public var ip: IPv4Address
        public var underlaySubnet: IPv4Prefix
        /// The address nodes use as default gateway (router port on l3, switch bridge on l2).
        public var gateway: IPv4Address
        /// Name of this node's port in the switch/router namespace.
        public var uplinkPeer: String
        /// Flannel: the node's lease (one /24). Calico: its /26 blocks.
        public var podSubnets: [IPv4Prefix]
        /// Calico IPIP/VXLAN tunnel address (first address of the first block); Flannel VXLAN's
        /// flannel.1 address (subnet .0).
        public var tunnelIP: IPv4Address?
        /// Flannel: cni0's address (subnet .1).
        public var bridgeIP: IPv4Address?
        /// VTEP MAC for the VXLAN modes (stable, derived from the node IP).
        public var vtepMAC: MACAddress
        public var pods: [Pod]
    }

    public struct Pod: Sendable, Equatable, Codable {
        public var node: Int
        public var index: Int
        public var namespace: String
        public var ip: IPv4Address
        /// Host-side veth name in the node namespace (veth… for Flannel, cali… for Calico).
        public var hostVeth: String
    }

    public var run: RunName
    public var underlayCIDR: IPv4Prefix
    public var podCIDR: IPv4Prefix
    /// The switch (l2) or router (l3) namespace.
    public var fabricNamespace: String
    public var fabricIP: IPv4Address?
    public var nodes: [Node]

    public var allNamespaces: [String] {
        [fabricNamespace] + nodes.flatMap { [$0.namespace] + $0.pods.map(\.namespace) }
    }

    public var allPods: [Pod] { nodes.flatMap(\.pods) }

    /// Calico's block size and limit on blocks per host (MaxBlocksPerHost).
    public static let calicoBlockLength = 26
    public static let calicoMaxBlocksPerHost = 20

    /// Flannel's SubnetLen rule: /24 when the Network is /22 or shorter, else prefix+2.
    public static func flannelSubnetLength(for network: IPv4Prefix) -> Int {
        network.length <= 22 ? 24 : network.length + 2
    }

    init(spec: TopologySpec) throws(SpecError) {
        run = spec.name
        let underlayCIDR = spec.effectiveUnderlayCIDR
        let podCIDR = spec.effectivePodCIDR
        let run = spec.name
        self.underlayCIDR = underlayCIDR
        self.podCIDR = podCIDR
        fabricNamespace = spec.underlay == .l2 ? Names.underlaySwitch(run) : Names.underlayRouter(run)
        let n = spec.nodeCount
        var nodes: [Node] = []

        // Underlay.
        var nodeIPs: [(ip: IPv4Address, subnet: IPv4Prefix, gw: IPv4Address)] = []
        switch spec.underlay {
        case .l2:
            let capacity = Int(min(underlayCIDR.size, 1 << 20)) - 12
            guard underlayCIDR.length <= 28, n <= capacity else {
                throw SpecError(
                    "underlay-cidr",
                    "\(underlayCIDR) holds \(max(capacity, 0)) nodes (at .11 upwards, .1 is the gateway) but \(n) were asked; use a larger subnet such as 192.168.0.0/16 or fewer nodes"
                )
            }
            let gw = underlayCIDR.host(1)!
            fabricIP = gw
            for i in 1...n { nodeIPs.append((underlayCIDR.host(10 + i)!, underlayCIDR, gw)) }
        case .l3:
            let subnets = underlayCIDR.length <= 24 ? Int(min(underlayCIDR.size >> 8, 1 << 16)) : 0
            guard subnets - 1 >= n else {
                throw SpecError(
                    "underlay-cidr",
                    "\(underlayCIDR) holds \(max(subnets - 1, 0)) node subnets of /24 (index 1 upwards) but \(n) nodes were asked; use a /16 such as 192.168.0.0/16 (up to 255 nodes) or a /12 for more"
                )
            }
            fabricIP = nil
            for i in 1...n {
                let s = underlayCIDR.subnet(i, length: 24)!
                nodeIPs.append((s.host(2)!, s, s.host(1)!))
            }
        }

        // Pod addressing.
        switch spec.mode.family {
        case .flannel:
            let len = Self.flannelSubnetLength(for: podCIDR)
            guard len <= 30 else {
                throw SpecError("pod-cidr", "\(podCIDR) is too small: node subnets would be /\(len); use /28 or larger")
            }
            let available = Int(min(UInt64(1) << UInt64(len - podCIDR.length), 1 << 20))
            guard n <= available else {
                throw SpecError(
                    "pod-cidr",
                    "\(podCIDR) gives \(available) node subnets of /\(len) but \(n) nodes were asked; use a larger network such as 10.244.0.0/16"
                )
            }
            let perNode = Int(UInt64(1) << UInt64(32 - len)) - 3  // network, cni0 gateway, broadcast
            for i in 1...n {
                let subnet = podCIDR.subnet(i - 1, length: len)!
                let pods = spec.podsPerNode[i - 1]
                guard pods <= perNode else {
                    throw SpecError(
                        "pods-per-node",
                        "node\(i) asks for \(pods) pods but its /\(len) pod subnet \(subnet) holds \(perNode) (gateway .1 on cni0); use at most \(perNode) or a shorter --pod-cidr prefix"
                    )
                }
                var podList: [Pod] = []
                for j in 1...pods {
                    let ns = Names.pod(run, node: i, j)
                    podList.append(
                        Pod(
                            node: i, index: j, namespace: ns, ip: subnet.host(1 + j)!,
                            hostVeth: "veth" + String(Hashing.fnv1a64(ns) & 0xffff_ffff, radix: 16).leftPadded(8)))
                }
                nodes.append(
                    Node(
                        index: i, namespace: Names.node(run, i), ip: nodeIPs[i - 1].ip,
                        underlaySubnet: nodeIPs[i - 1].subnet, gateway: nodeIPs[i - 1].gw,
                        uplinkPeer: "node\(i)", podSubnets: [subnet], tunnelIP: subnet.first,
                        bridgeIP: subnet.host(1), vtepMAC: Self.vtepMAC(nodeIPs[i - 1].ip), pods: podList))
            }
        case .calico:
            let blockLen = Self.calicoBlockLength
            guard podCIDR.length <= blockLen else {
                throw SpecError(
                    "pod-cidr",
                    "\(podCIDR) is smaller than one /\(blockLen) Calico block; use a pool of /\(blockLen) or larger, e.g. 10.233.64.0/18")
            }
            let poolBlocks = Int(min(UInt64(1) << UInt64(blockLen - podCIDR.length), 1 << 20))
            let blockSize = 1 << (32 - blockLen)
            let hasTunnel = spec.mode != .calicoBGP
            var nextBlock = 0
            for i in 1...n {
                let pods = spec.podsPerNode[i - 1]
                let needed = pods + (hasTunnel ? 1 : 0)
                let blocks = (needed + blockSize - 1) / blockSize
                guard blocks <= Self.calicoMaxBlocksPerHost else {
                    throw SpecError(
                        "pods-per-node",
                        "node\(i) asks for \(pods) pods: \(blocks) blocks of /\(blockLen), over Calico's MaxBlocksPerHost of \(Self.calicoMaxBlocksPerHost) (at most \(Self.calicoMaxBlocksPerHost * blockSize - (hasTunnel ? 1 : 0)) pods)"
                    )
                }
                guard nextBlock + blocks <= poolBlocks else {
                    throw SpecError(
                        "pod-cidr",
                        "pool \(podCIDR) has \(poolBlocks) blocks of /\(blockLen); node\(i) would need block \(nextBlock + blocks); use a larger pool such as 10.233.0.0/16"
                    )
                }
                let owned = (nextBlock..<(nextBlock + blocks)).map { podCIDR.subnet($0, length: blockLen)! }
                nextBlock += blocks
                // IPAM hands out the lowest free ordinal: the tunnel address first, then pods.
                var ordinals = owned.lazy.flatMap { b in (0..<blockSize).map { b.host($0)! } }.makeIterator()
                let tunnel = hasTunnel ? ordinals.next() : nil
                var podList: [Pod] = []
                for j in 1...pods {
                    let ns = Names.pod(run, node: i, j)
                    podList.append(
                        Pod(
                            node: i, index: j, namespace: ns, ip: ordinals.next()!,
                            hostVeth: Self.calicoInterfaceName(k8sNamespace: "default", pod: ns)))
                }
                nodes.append(
                    Node(
                        index: i, namespace: Names.node(run, i), ip: nodeIPs[i - 1].ip,
                        underlaySubnet: nodeIPs[i - 1].subnet, gateway: nodeIPs[i - 1].gw,
                        uplinkPeer: "node\(i)", podSubnets: owned, tunnelIP: tunnel, bridgeIP: nil,
                        vtepMAC: Self.vtepMAC(nodeIPs[i - 1].ip), pods: podList))
            }
        }
        self.nodes = nodes
        for name in nodes.flatMap({ [$0.uplinkPeer] + $0.pods.map(\.hostVeth) }) where !Names.isValidInterfaceName(name) {
            throw SpecError("name", "interface name '\(name)' is not valid (1–15 bytes, no '/', ':' or spaces)")
        }
    }

    /// Calico's host-side veth name: "cali" + the first 11 hex digits of sha1("<namespace>.<pod>").
    public static func calicoInterfaceName(k8sNamespace: String, pod: String) -> String {
        "cali" + String(SHA1.hex(Array("\(k8sNamespace).\(pod)".utf8)).prefix(11))
    }

    static func vtepMAC(_ ip: IPv4Address) -> MACAddress {
        // Locally administered, like the random MACs flannel and Felix persist; derived so that
        // plan and apply agree without storing anything.
        let o = ip.octets
        return MACAddress([0x66, 0xcb, o[0], o[1], o[2], o[3]])
    }
}

extension String {
    package func leftPadded(_ width: Int, with c: Character = "0") -> String {
        count >= width ? self : String(repeating: c, count: width - count) + self
    }
}
