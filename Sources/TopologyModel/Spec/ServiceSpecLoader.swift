import Yams

extension SpecLoader {
    /// `kubeProxy`, `services`, `endpointsPerService`, `serviceCIDR`.
    static func applyServices(_ values: [SpecSetting: Node], to spec: inout TopologySpec) throws(SpecError) {
        let keys: [SpecSetting] = [.kubeProxy, .services, .endpointsPerService, .serviceCIDR]
        guard keys.contains(where: { values[$0] != nil }) else { return }
        var s = spec.serviceSettings
        if let v = values[.kubeProxy] { s.kubeProxy = try choice(v, "kubeProxy", KubeProxyMode.spellings) }
        if let v = values[.services] { s.services = try int(v, "services") }
        if let v = values[.endpointsPerService] { s.endpointsPerService = try int(v, "endpointsPerService") }
        if let v = values[.serviceCIDR] { s.serviceCIDR = try prefix(v, "serviceCIDR") }
        spec.services = s
    }
}
