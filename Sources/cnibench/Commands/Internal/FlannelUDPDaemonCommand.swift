import ArgumentParser
import Foundation
import Synchronization
import NetAddress
import Agents
import TopologyModel

private let daemonStop = Atomic<Bool>(false)

/// `cnibench flannel-udp-daemon`: the per-node userspace datapath of mode flannel-udp, started by
/// `up` inside the node namespace (Step .startProcess) and stopped by `down`/`clean`. Hidden.
struct FlannelUDPDaemonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flannel-udp-daemon",
        abstract: "flanneld's UDP backend: move packets between the TUN flannel0 and UDP port 8285 on the node IP.",
        discussion: """
            Runs in the node's namespace, attached to the persistent TUN that `up` created:
              cnibench flannel-udp-daemon --tun flannel0 --node-ip 192.168.1.11 --subnet 10.244.0.0/24 \\
                  --lease 10.244.1.0/24=192.168.1.12 [--lease …]
            Inner TTL is decremented in both directions; packets no lease matches get ICMP net unreachable.
            """,
        shouldDisplay: false
    )

    @Option(name: .long, help: "TUN device to attach to.")
    var tun = "flannel0"

    @Option(name: .long, help: "This node's IP (the UDP socket binds here).")
    var nodeIP: String

    @Option(name: .long, help: "This node's lease, e.g. 10.244.0.0/24 (its network address is the TUN's).")
    var subnet: String

    @Option(name: .long, help: "A remote lease SUBNET=NODE_IP (repeatable).")
    var lease: [String] = []

    @Option(name: .long, help: "UDP port.")
    var port: UInt16 = FlannelUDPDaemon.port

    @Option(name: .long, help: "TUN MTU (sizes the buffers).")
    var mtu = 1472

    @Option(name: .long, help: "flanneld (one packet per call, default buffers) or batched (cnibench's recvmmsg/sendmmsg).")
    var impl: FlannelUDPImplementation = .flanneld

    func validate() throws {
        guard IPv4Address(nodeIP) != nil else { throw ValidationError("--node-ip \(nodeIP) is not an IPv4 address") }
        guard IPv4Prefix(subnet) != nil else { throw ValidationError("--subnet \(subnet) is not a prefix") }
        for l in lease where FlannelUDPDaemon.Lease(l) == nil { throw ValidationError("--lease \(l): want SUBNET=NODE_IP") }
        guard (576...65535).contains(mtu) else { throw ValidationError("--mtu \(mtu): 576…65535") }
    }

    func run() throws {
        var c = FlannelUDPDaemon.Configuration(
            nodeIP: IPv4Address(nodeIP)!, subnet: IPv4Prefix(subnet)!.network,
            leases: lease.compactMap(FlannelUDPDaemon.Lease.init))
        c.tun = tun
        c.port = port
        c.mtu = mtu
        c.implementation = impl
        let d = try FlannelUDPDaemon(c)
        signal(SIGTERM) { _ in daemonStop.store(true, ordering: .relaxed) }
        signal(SIGINT) { _ in daemonStop.store(true, ordering: .relaxed) }
        say(
            "flannel-udp-daemon (\(impl.rawValue)): \(tun) ⇄ udp \(nodeIP):\(port), lease \(c.subnet), \(c.leases.count) remote leases: \(c.leases.map(\.description).joined(separator: " "))"
        )
        d.run(tick: 200) { daemonStop.load(ordering: .relaxed) }
        let k = d.counters
        say(
            "flannel-udp-daemon: stopping; tun→udp \(k.tunToUDP), udp→tun \(k.udpToTUN), ttl expired \(k.ttlExpired), net unreachable \(k.unreachable), malformed \(k.malformed), send errors \(k.sendErrors)"
        )
    }

    /// Unbuffered: the log file must show the line even if the daemon is killed.
    private func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
}
