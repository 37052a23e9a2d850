/// The command lines of the daemons a plan starts (`.startProcess` steps). argv[0] "cnibench"
/// means this executable; the subcommands parse exactly what is built here.
import NetAddress
public enum DaemonCommand {
    /// `cnibench flannel-udp-daemon` for one node, with every peer's lease.
    public static func flannelUDP(
        node: Addressing.Node, peers: [Addressing.Node], tun: String = "flannel0", implementation: FlannelUDPImplementation = .flanneld
    ) -> [String] {
        var argv = [
            "cnibench", "flannel-udp-daemon", "--tun", tun, "--node-ip", node.ip.description,
            "--subnet", node.podSubnets[0].description
        ]
        if implementation != .flanneld { argv += ["--impl", implementation.rawValue] }
        for p in peers { argv += ["--lease", FlannelUDPLease(subnet: p.podSubnets[0], node: p.ip).description] }
        return argv
    }

    /// `cnibench bird-exec`: writes the instance's BIRD configuration, then execs BIRD.
    public static func bird(run: RunName, label: String) -> [String] {
        ["cnibench", "bird-exec", "--name", run.value, "--instance", label]
    }

    /// `cnibench ipip-mirror`: copies BIRD's routes into the IPIP datapath on one node.
    public static func ipipMirror(run: RunName, node: Int) -> [String] {
        ["cnibench", "ipip-mirror", "--name", run.value, "--node", "\(node)"]
    }
}

/// One flannel-udp lease as the daemon's `--lease` flag spells it: a peer node's subnet and the
/// node IP that owns it.
public struct FlannelUDPLease: Sendable, Equatable, CustomStringConvertible {
    public var subnet: IPv4Prefix
    public var node: IPv4Address
    public init(subnet: IPv4Prefix, node: IPv4Address) {
        self.subnet = subnet
        self.node = node
    }
    /// "10.244.1.0/24=192.168.1.12"
    public init?(_ text: String) {
        let parts = text.split(separator: "=")
        guard parts.count == 2, let s = IPv4Prefix(parts[0]), let n = IPv4Address(parts[1]) else { return nil }
        self.init(subnet: s.network, node: n)
    }
    public var description: String { "\(subnet)=\(node)" }
}
