/// Calico IPIP without the ipip driver: cnibench's tc-BPF program (bpf/calico_ipip.bpf.c).
enum BPFIPIP {
    static func attach(namespace: NetworkNamespace, ifindex: CInt, device: String, nodeIP: IPv4Address,
                       routes: [TunnelRoute]) throws {
        throw StateError("tc-BPF IPIP is not wired yet")
    }

    /// nil when both programs are attached to `device`.
    static func attachmentProblem(namespace: NetworkNamespace?, device: String, handle: NetlinkHandle?) -> String? {
        "tc-BPF IPIP check not wired yet"
    }
}
