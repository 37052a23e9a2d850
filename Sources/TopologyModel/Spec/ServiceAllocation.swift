import NetAddress

extension ServiceSettings {
    /// The run's Services: `svc-1`…`svc-N` in namespace default, ClusterIPs in order from the
    /// second host address of the range (the first is the `kubernetes` Service's, which has no
    /// pod endpoints here), each with K endpoints taken round-robin over all pods (node order),
    /// so consecutive services start on consecutive pods and every pod serves about N·K/pods.
    public func allocate(_ addressing: Addressing) -> [KubeProxyService] {
        let pods = addressing.allPods
        guard !pods.isEmpty else { return [] }
        let k = min(endpointsPerService, pods.count)
        let scale = (0..<services).map { i in
            let endpoints = (0..<k).map { j in
                let pod = pods[(i * k + j) % pods.count]
                return KubeProxyEndpoint(ip: pod.ip, port: Self.targetPort, node: pod.node)
            }
            return KubeProxyService(
                name: "svc-\(i + 1)", clusterIP: serviceCIDR.first.advanced(by: 2 + i), port: Self.servicePort, endpoints: endpoints)
        }
        return scale + (probeService(addressing).map { [$0] } ?? [])
    }

    /// The bench's probe Service (nil unless `probeService`): the ClusterIP after the N others,
    /// one endpoint on the last node's first pod.
    public func probeService(_ addressing: Addressing) -> KubeProxyService? {
        guard probeService == true, let pod = addressing.nodes.last?.pods.first else { return nil }
        return KubeProxyService(
            name: Self.probeServiceName, clusterIP: serviceCIDR.first.advanced(by: 2 + services), port: Self.servicePort,
            endpoints: [KubeProxyEndpoint(ip: pod.ip, port: Self.targetPort, node: pod.node)])
    }

    /// kube-proxy's configuration on one node of the run.
    public func kubeProxyNode(_ node: Addressing.Node, addressing: Addressing) -> KubeProxyNode {
        KubeProxyNode(name: node.namespace, ip: node.ip, clusterCIDR: addressing.podCIDR, serviceCIDR: serviceCIDR)
    }

    /// Every node's rulesets, in node order, for the spec's mode.
    public func rulesets(_ addressing: Addressing) -> [(node: Addressing.Node, rulesets: [NetfilterRuleset])] {
        let services = allocate(addressing)
        return addressing.nodes.map { n in
            (n, KubeProxyRules.render(node: kubeProxyNode(n, addressing: addressing), services: services, mode: kubeProxy))
        }
    }
}
