// Which driver runs a test and which tests run by default: knowledge of the measuring side,
// kept out of the result model (Report/) so that results can be read without it.
import Results
extension BenchTest {
    /// The default tests besides pktgen (added when the build has `cnibench pktgen`).
    public static var defaults: [BenchTest] { [.tcp1, .tcp4, .udp, .rr] }

    public var usesIperf3: Bool { self == .tcp1 || self == .tcp4 || self == .udp }
}

extension BenchTest {
    /// pktgen's frames are addressed to the pod itself (no connection for kube-proxy to DNAT),
    /// so it is not run on the cluster-ip path.
    func applies(to path: BenchPath) -> Bool { !(self == .pktgen && path == .clusterIP) }
}
