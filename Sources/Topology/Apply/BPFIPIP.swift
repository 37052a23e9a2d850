/// Calico IPIP without the ipip driver: the plan's `.bpfIPIP` step, through the FFI wrapper.
import NetAddress
import Netlink
import TopologyModel
enum BPFIPIP {
    static func attach(
        namespace: NetworkNamespace, ifindex: CInt, device: String, nodeIP: IPv4Address,
        routes: [TunnelRoute]
    ) throws {
        try CalicoIPIPProgram.attach(
            in: namespace, ifindex: ifindex, device: device, nodeIP: nodeIP,
            routes: routes.map(CalicoIPIPProgram.Route.init))
    }

    /// nil when both programs are attached to `device`.
    static func attachmentProblem(namespace: NetworkNamespace?, device: String, handle: NetlinkHandle?) -> String? {
        guard let namespace, let idx = try? handle?.linkIndex(device) else { return "tc-bpf ipip: no device \(device)" }
        let (egress, ingress) = CalicoIPIPProgram.isAttached(in: namespace, ifindex: idx)
        if egress && ingress { return nil }
        return "tc-bpf ipip on \(device): egress \(egress ? "attached" : "missing"), ingress \(ingress ? "attached" : "missing")"
    }
}
