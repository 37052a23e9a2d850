import ArgumentParser
import NetAddress
import Topology
import TopologyModel

/// kube-proxy and Services, shared by `plan` and `up` through TopologyOptions.
struct ServiceOptions: ParsableArguments {
    @Option(name: .long, help: "kube-proxy mode whose rules the nodes get: none, iptables (default, as kubeadm), nftables.")
    var kubeProxy: KubeProxyMode?

    @Option(name: .long, parsing: .unconditional, help: "ClusterIP Services (TCP port 80 → pods' 8080; default 0).")
    var services: Int?

    @Option(name: .long, parsing: .unconditional, help: "Endpoints (pods) behind each Service, spread over all pods (default 2).")
    var endpointsPerService: Int?

    @Option(name: .long, help: "Service IP range (default 10.96.0.0/12, as kubeadm).")
    var serviceCidr: String?

    /// Flags over the file's values; ipvs is refused here, with the kernel's reason, because
    /// only this stage may look at the machine.
    func apply(to g: inout GivenSpec) throws {
        guard kubeProxy != nil || services != nil || endpointsPerService != nil || serviceCidr != nil else { return }
        if kubeProxy == .ipvs { throw ValidationError("--kube-proxy ipvs: \(IPVSSupport.refusal)") }
        var s = g.spec.serviceSettings
        if let kubeProxy {
            s.kubeProxy = kubeProxy
            g.given[.kubeProxy] = .flag
        }
        if let services {
            s.services = services
            g.given[.services] = .flag
        }
        if let endpointsPerService {
            s.endpointsPerService = endpointsPerService
            g.given[.endpointsPerService] = .flag
        }
        if let serviceCidr {
            guard let p = IPv4Prefix(serviceCidr), serviceCidr.contains("/") else {
                throw ValidationError("--service-cidr '\(SpecError.clip(serviceCidr))' is not a CIDR like 10.96.0.0/12")
            }
            s.serviceCIDR = p
            g.given[.serviceCIDR] = .flag
        }
        g.spec.services = s
    }
}

extension KubeProxyMode: ExpressibleByArgument {}
