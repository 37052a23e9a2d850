import ArgumentParser
import Measure
import Results
import TopologyModel

/// `bench --services N`, `--kube-proxy`, `--sweep services=…`: Services on the modes' runs
/// and the cluster-ip path, once or as a sweep over N.
struct BenchServiceOptions: ParsableArguments {
    @Option(
        name: .long, parsing: .unconditional,
        help:
            "Build the modes' runs with N ClusterIP Services (plus the bench's own one-endpoint Service) and measure the cluster-ip path (pod → ClusterIP → pod on the other node)."
    )
    var services: Int?

    @Option(name: .long, help: "With --services or --sweep: kube-proxy's mode, iptables (default) or nftables.")
    var kubeProxy: KubeProxyMode?

    @Option(
        name: .long,
        help:
            "KEY=N,N,…: one bench per point with the same modes and options, reported against N (DIR/BASE.json, .md, .svg). Keys: services. Example: services=0,1000,5000,10000."
    )
    var sweep: String?

    func sweepSpec() throws -> BenchSweepSpec? {
        guard let sweep else { return nil }
        do { return try BenchSweepSpec.parse(sweep) } catch { throw ValidationError(error.description) }
    }

    func apply(to o: inout BenchOptions) throws {
        let spec = try sweepSpec()
        if spec != nil, let services {
            throw ValidationError("--services \(services): not with --sweep services=… (the sweep sets N per point)")
        }
        guard services != nil || kubeProxy != nil || spec != nil else { return }
        if let services, services < 0 { throw ValidationError("--services \(services): valid range is 0 or more") }
        var s = ServiceSettings()
        s.services = services ?? 0
        if let kubeProxy {
            guard kubeProxy == .iptables || kubeProxy == .nftables else {
                throw ValidationError(
                    "--kube-proxy \(kubeProxy.rawValue): the cluster-ip path needs Service rules; valid: iptables, nftables")
            }
            s.kubeProxy = kubeProxy
        }
        if let services, services > s.capacity - 1 {
            throw ValidationError(
                "--services \(services): valid range is 0…\(s.capacity - 1) (what \(s.serviceCIDR) holds besides the bench's probe Service)"
            )
        }
        o.services = s
    }
}
