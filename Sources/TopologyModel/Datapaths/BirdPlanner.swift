/// The plan steps of `--routing bird` (the last part of every Calico datapath's plan): after
/// every namespace, device and pod exists, start one BIRD per node (and the router's), then on
/// calico-ipip the route mirrors (docs/datapaths.md, "Mode `calico-bgp` (Calico BGP, no
/// encapsulation, "direct")" → "Control plane").
struct BirdPlanner {
    var spec: TopologySpec
    var addressing: Addressing

    func build(into b: inout StepList) {
        let peering = BGPPeering(spec: spec, addressing: addressing)
        for inst in peering.instances {
            b.add(.startProcess(ns: inst.namespace, name: "bird", argv: DaemonCommand.bird(run: spec.name, label: inst.label)))
        }
        if spec.mode == .calicoIPIP {
            for n in addressing.nodes {
                b.add(.startProcess(ns: n.namespace, name: "ipip-mirror", argv: DaemonCommand.ipipMirror(run: spec.name, node: n.index)))
            }
        }
    }
}
