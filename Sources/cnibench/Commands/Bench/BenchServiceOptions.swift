import ArgumentParser
import Measure
import Results
import TopologyModel

/// `bench --services N`, `--kube-proxy`, `--sweep services=…|policies=…`, `--sweep-order`:
/// Services on the modes' runs and the cluster-ip path, once or as a sweep over N.
struct BenchServiceOptions: ParsableArguments {
    @Option(
        name: .long, parsing: .unconditional,
        help:
            "Build the modes' runs with N ClusterIP Services (plus the bench's own one-endpoint Service) and measure the cluster-ip path (pod → ClusterIP → pod on the other node)."
    )
    var services: Int?

    @Option(
        name: .long,
        help:
            "With --services or --sweep: kube-proxy's mode, iptables (default) or nftables, or iptables,nftables: each mode built under both, the second measured as <mode>@kube-proxy-nftables in the same rounds.",
        completion: .list(["iptables", "nftables", "iptables,nftables"]),
        transform: { try commaSeparated($0, of: "kube-proxy mode", as: KubeProxyMode.self) })
    var kubeProxy: [KubeProxyMode]?

    @Option(
        name: .long,
        help:
            "KEY=N,N,…: the same modes and options at each point N, reported against N (DIR/BASE.json, .md, .svg). Keys: services (N ClusterIP Services), policies (N NetworkPolicies, calico-* modes). Example: services=0,1000,5000,10000."
    )
    var sweep: String?

    @Option(
        name: .long,
        help:
            "interleaved (default): every point's runs built up front and measured in the same shuffled rounds, so the machine's drift hits every point alike. sequential: one whole bench per point in turn; use it only when the points do not fit in memory or time together.",
        completion: .list(BenchSweep.Order.allCases.map(\.rawValue)))
    var sweepOrder: String?

    func order() throws -> BenchSweep.Order {
        guard let sweepOrder else { return .interleaved }
        guard sweep != nil else { throw ValidationError("--sweep-order only applies with --sweep KEY=…") }
        guard let o = BenchSweep.Order(rawValue: sweepOrder) else {
            throw ValidationError("--sweep-order '\(sweepOrder)': valid: \(BenchSweep.Order.spellings)")
        }
        return o
    }

    func sweepSpec() throws -> BenchSweepSpec? {
        guard let sweep else { return nil }
        do { return try BenchSweepSpec.parse(sweep) } catch { throw ValidationError(error.description) }
    }

    func apply(to o: inout BenchOptions) throws {
        let spec = try sweepSpec()
        _ = try order()
        if spec?.key == .services, let services {
            throw ValidationError("--services \(services): not with --sweep services=… (the sweep sets N per point)")
        }
        guard services != nil || kubeProxy != nil || spec?.key == .services else { return }
        if let services, services < 0 { throw ValidationError("--services \(services): valid range is 0 or more") }
        var s = ServiceSettings()
        s.services = services ?? 0
        if let kubeProxy {
            for k in kubeProxy where k != .iptables && k != .nftables {
                throw ValidationError("--kube-proxy \(k.rawValue): the cluster-ip path needs Service rules; valid: iptables, nftables")
            }
            s.kubeProxy = kubeProxy[0]
            if kubeProxy.count > 1 { o.kubeProxies = kubeProxy }
        }
        if let services, services > s.capacity - 1 {
            throw ValidationError(
                "--services \(services): valid range is 0…\(s.capacity - 1) (what \(s.serviceCIDR) holds besides the bench's probe Service)"
            )
        }
        o.services = s
    }
}
